"""What every API view shares: pagination, error answers and their place in the OpenAPI schema."""
