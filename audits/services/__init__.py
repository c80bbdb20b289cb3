"""Writing audits. Each module holds one area; import from the module itself."""
