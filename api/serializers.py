from rest_framework import serializers

from .models import Note


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "title", "body", "created"]
        read_only_fields = ["id", "created"]


# What the views below answer, for the OpenAPI schema (they build their answers themselves).
class MeSerializer(serializers.Serializer):
    username = serializers.CharField(allow_null=True, help_text="null in the public namespace")
    scheme = serializers.CharField(help_text="the namespace that answered")


class NamespaceRootSerializer(serializers.Serializer):
    namespace = serializers.CharField()
    scheme = serializers.CharField()
    how_to_authenticate = serializers.CharField()
    endpoints = serializers.DictField(child=serializers.URLField())
    openapi = serializers.DictField(
        child=serializers.URLField(), help_text="the schema, and this namespace in Swagger UI"
    )


class NamespaceSummarySerializer(serializers.Serializer):
    url = serializers.URLField()
    scheme = serializers.CharField()
    client = serializers.DictField(
        help_text='how a generic client logs in: {"kind": "none"|"basic"|"session"|"token"|"jwt", "login", ...}'
    )
    me_queries = serializers.IntegerField(
        allow_null=True, help_text="SQL queries of a steady-state GET me/ (the contract's); null: as measured"
    )
    reading = serializers.CharField(help_text="what a student should read in the benchmark report's row")


class ApiIndexSerializer(serializers.Serializer):
    namespaces = serializers.DictField(child=NamespaceSummarySerializer())
