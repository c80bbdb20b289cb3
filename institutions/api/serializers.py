from rest_framework import serializers

from institutions.models import Institution, Membership


class InstitutionSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "country",
            "setting",
            "preferred_language",
            "contact_email",
            "contact_phone",
            "address",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role", "created_at"]
