using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Operations;

/// <summary>
/// <c>/openapi/v1.json</c> tells a client how to authenticate and which problems each operation can answer,
/// and Redocly's recommended rules find no error in it.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class OpenApiTests(AppFixture app)
{
    private const string Redocly = "@redocly/cli@2.77.0";

    private async Task<string> DocumentAsync()
    {
        // Fetched without a key: the document is public.
        using var response = await app.Host.Server.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task redocly_lint_with_the_recommended_rules_finds_no_error()
    {
        var dir = Directory.CreateTempSubdirectory("ellity-openapi-");
        try
        {
            var file = Path.Combine(dir.FullName, "openapi.json");
            await File.WriteAllTextAsync(file, await DocumentAsync());

            var (exitCode, output) = await RunAsync(dir.FullName, "npx", "--yes", Redocly, "lint", "--extends", "recommended", file);

            Assert.True(exitCode == 0, $"redocly lint exited with {exitCode}:\n{output}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task the_bearer_scheme_and_the_problem_answers_are_described()
    {
        var doc = JsonNode.Parse(await DocumentAsync())!;

        var scheme = doc["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.Contains("ek_", scheme["description"]!.GetValue<string>());
        Assert.Contains("operator key", scheme["description"]!.GetValue<string>());

        var problem = doc["components"]!["responses"]!["Unauthorized"]!["content"]!["application/problem+json"]!["schema"]!;
        Assert.Equal("#/components/schemas/ProblemDetails", problem["$ref"]!.GetValue<string>());
        Assert.NotNull(doc["components"]!["schemas"]!["ProblemDetails"]!["properties"]!["title"]);

        var create = doc["paths"]!["/api/eshops/{eshopId}/webhooks"]!["post"]!;
        Assert.Equal("""[{"ApiKey":[]}]""", create["security"]!.ToJsonString());
        Assert.Equal("#/components/responses/Unauthorized", Response(create, "401"));
        Assert.Equal("#/components/responses/NotFound", Response(create, "404"));
        Assert.Equal("#/components/responses/Conflict", Response(create, "409"));
        Assert.Equal("#/components/responses/PayloadTooLarge", Response(create, "413"));
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails",
            create["responses"]!["400"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());

        foreach (var path in new[] { "/api/webhooks/triggers", "/api/webhooks/defaults" })
        {
            var open = doc["paths"]![path]!["get"]!;
            Assert.Equal("[]", open["security"]!.ToJsonString());
            Assert.Null(open["responses"]!["401"]);
        }

        var register = doc["paths"]!["/api/eshops"]!["post"]!;
        Assert.Equal("#/components/responses/Forbidden", Response(register, "403"));
        Assert.Null(register["responses"]!["404"]);

        // A read that can still conflict says so, as does every webhook route of an e-shop without the Webhooks feature; the
        // audit trail, kept without it, reads without a conflict.
        Assert.Equal("#/components/responses/Conflict", Response(doc["paths"]!["/api/eshops/{eshopId}/webhooks/{webhookId}/secret"]!["get"]!, "409"));
        Assert.Equal("#/components/responses/Conflict", Response(doc["paths"]!["/api/eshops/{eshopId}/webhooks/preview"]!["post"]!, "409"));
        Assert.Equal("#/components/responses/Conflict", Response(doc["paths"]!["/api/eshops/{eshopId}/webhooks"]!["get"]!, "409"));
        Assert.Null(doc["paths"]!["/api/eshops/{eshopId}/deliveries"]!["get"]!["responses"]!["409"]);
        Assert.Null(doc["paths"]!["/api/eshops/{eshopId}/customers/{customerId}"]!["get"]!["responses"]!["409"]);

        foreach (var (path, item) in doc["paths"]!.AsObject())
        foreach (var (method, operation) in item!.AsObject())
        {
            var security = operation!["security"]?.AsArray();
            Assert.True(security is not null, $"{method} {path} declares no security");
            if (security.Count > 0) Assert.Equal("#/components/responses/Unauthorized", Response(operation, "401"));
            if (path.Contains("{eshopId}")) Assert.Equal("#/components/responses/NotFound", Response(operation, "404"));
            if (operation["requestBody"] is not null) Assert.Equal("#/components/responses/PayloadTooLarge", Response(operation, "413"));
            if (method != "get" && !path.EndsWith("/preview")) Assert.Equal("#/components/responses/Conflict", Response(operation, "409"));
        }
    }

    [Fact]
    public async Task rate_limited_operations_document_429_with_retry_after_and_the_others_do_not()
    {
        var doc = JsonNode.Parse(await DocumentAsync())!;

        foreach (var (path, method) in new[]
                 {
                     ("/api/eshops/{eshopId}/webhooks", "post"), ("/api/eshops/{eshopId}/webhooks/{webhookId}/test", "post"),
                     ("/api/eshops/{eshopId}/webhooks/{webhookId}/recover", "post"), ("/api/eshops/{eshopId}/deliveries/export", "get"),
                 })
            Assert.Equal("#/components/responses/TooManyRequests", Response(doc["paths"]![path]![method]!, "429"));
        var tooMany = doc["components"]!["responses"]!["TooManyRequests"]!;
        Assert.NotNull(tooMany["headers"]!["Retry-After"]);
        Assert.Equal("#/components/schemas/ProblemDetails", tooMany["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        // Customer routes opt out of rate limiting; reads have none.
        Assert.Null(doc["paths"]!["/api/eshops/{eshopId}/customers/{customerId}/credit"]!["post"]!["responses"]!["429"]);
        Assert.Null(doc["paths"]!["/api/eshops/{eshopId}/webhooks"]!["get"]!["responses"]!["429"]);
    }

    private static string? Response(JsonNode operation, string status) => operation["responses"]![status]?["$ref"]?.GetValue<string>();

    private static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["REDOCLY_TELEMETRY"] = "off",
                ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
                ["NO_COLOR"] = "1",
            },
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"'{command}' could not be started ({e.Message}): the OpenAPI lint needs Node.js and npx (.ci/run installs them).", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // The first run downloads the linter from the npm registry.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{command} {string.Join(' ', arguments)} did not finish in 5 minutes:\n{await stdout}\n{await stderr}");
            }
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
