using System.Text.RegularExpressions;

namespace Ellity.Host;

internal static partial class JsonProblems
{
    // System.Text.Json reports where it failed as "Path: $.tier.id"; clients want the field by name.
    [GeneratedRegex(@"Path: \$\.?(?<path>[^ |]*)")]
    private static partial Regex JsonPath();

    // A body type that refuses unknown fields names the field, and its .NET type, which is no business of the client's.
    [GeneratedRegex(@"^The JSON property '(?<name>[^']*)' could not be mapped to any \.NET member")]
    private static partial Regex UnknownProperty();

    /// <summary>A request body that did not deserialize gets the same <c>errors</c> shape as a validation problem.</summary>
    public static void NameTheField(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Status != StatusCodes.Status400BadRequest || problem.Extensions.ContainsKey("errors") || problem.Detail is null)
            return;
        if (UnknownProperty().Match(problem.Detail) is { Success: true } unknown)
        {
            var name = unknown.Groups["name"].Value;
            problem.Detail = $"Unknown field '{name}': check its spelling.";
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [name] = [problem.Detail] };
            return;
        }
        if (JsonPath().Match(problem.Detail) is not { Success: true } match) return;
        var field = match.Groups["path"].Value;
        var message = problem.Detail.Split(" Path:")[0];
        problem.Extensions["errors"] = new Dictionary<string, string[]>
        {
            [field.Length == 0 ? "body" : field] = [field.Length == 0 ? "The body must be a JSON object." : $"Wrong type or malformed value: {message}"],
        };
    }
}
