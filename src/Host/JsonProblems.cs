using System.Text.RegularExpressions;

namespace Ellity.Host;

internal static partial class JsonProblems
{
    // System.Text.Json reports where it failed as "Path: $.tier.id"; clients want the field by name.
    [GeneratedRegex(@"Path: \$\.?(?<path>[^ |]*)")]
    private static partial Regex JsonPath();

    /// <summary>A request body that did not deserialize gets the same <c>errors</c> shape as a validation problem.</summary>
    public static void NameTheField(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Status != StatusCodes.Status400BadRequest || problem.Extensions.ContainsKey("errors")
            || problem.Detail is null || JsonPath().Match(problem.Detail) is not { Success: true } match)
            return;
        var field = match.Groups["path"].Value;
        var message = problem.Detail.Split(" Path:")[0];
        problem.Extensions["errors"] = new Dictionary<string, string[]>
        {
            [field.Length == 0 ? "body" : field] = [field.Length == 0 ? "The body must be a JSON object." : $"Wrong type or malformed value: {message}"],
        };
    }
}
