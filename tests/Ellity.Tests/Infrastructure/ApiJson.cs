using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Ellity.Tests.Infrastructure;

/// <summary>
/// Reads the API's JSON into the tests' own views, by the names of its contract: camelCase as on the wire and no other
/// spelling, numbers only as numbers, every view member present (a nullable one may be null) and a non-nullable one never
/// null. So a view is at least as strict as the look-up chain it replaces: a renamed or missing field fails the test.
/// </summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Contract = new(JsonSerializerOptions.Web)
    {
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static T ReadAs<T>(this JsonNode node) =>
        node.Deserialize<T>(Contract) ?? throw new InvalidOperationException($"Not a {typeof(T).Name}: {node.ToJsonString()}");
}
