using System.Text.Json.Nodes;

namespace Ellity.Tests.Infrastructure;

/// <summary>A registered e-shop and its API key, shown this once, as the API answers (see <see cref="ApiJson"/>).</summary>
public sealed record RegisteredEshopView(string EshopId, string Name, DateTimeOffset CreatedAt, string ApiKey);

public static class EshopAssertions
{
    public static RegisteredEshopView AsRegisteredEshop(this JsonNode node) => node.ReadAs<RegisteredEshopView>();
}
