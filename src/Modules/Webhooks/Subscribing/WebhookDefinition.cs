using Ellity.Webhooks.Conditions;
using Ellity.Webhooks.Templating;
using Ellity.Webhooks.Triggers;

namespace Ellity.Webhooks.Subscribing;

/// <summary>A variable known to the catalog but not carried by the chosen trigger: it will render empty.</summary>
public sealed record VariableWarning(string Field, string Variable, string Message);

/// <summary>A variable no trigger knows, with the closest known name.</summary>
public sealed record UnknownVariable(string Field, string Variable, string? Suggestion);

public sealed record BodyErrorPosition(int Line, int Column, int Offset);

/// <summary>
/// The rules a webhook's name, trigger, URL and body must follow, shared by create, update and
/// preview, so that what saves is exactly what can be previewed and delivered.
/// </summary>
public sealed class WebhookDefinition
{
    public const int MaxNameLength = 200;
    public const int MaxUrlLength = 2048;
    public const int MaxBodyLength = 64 * 1024;
    public const int MaxRetries = 20;
    public const int MaxRetryDelaySeconds = 7 * 24 * 3600;

    public Dictionary<string, string[]> Errors { get; } = new();
    public List<UnknownVariable> UnknownVariables { get; } = [];
    public List<VariableWarning> Warnings { get; } = [];
    public BodyErrorPosition? BodyError { get; private set; }
    public Trigger? Trigger { get; private set; }
    public UrlTemplate? UrlTemplate { get; private set; }
    public BodyTemplate? BodyTemplate { get; private set; }

    public DeliveryRateLimit? RateLimit { get; private set; }

    /// <summary>As stored: null for the default, unordered.</summary>
    public string? Ordering { get; private set; }

    /// <summary>The conditions as they are stored: none is null.</summary>
    public IReadOnlyList<Condition>? Conditions { get; private set; }

    public bool IsValid => Errors.Count == 0;

    private readonly TriggerCatalog _triggers;

    private WebhookDefinition(TriggerCatalog triggers) => _triggers = triggers;

    /// <summary>Checks a definition; pass <paramref name="name"/> = null where no name is involved (preview).</summary>
    public static WebhookDefinition Check(TriggerCatalog triggers, string? name, string? trigger, string? url, string? body,
        bool nameRequired = true, bool requireHttps = false)
    {
        var d = new WebhookDefinition(triggers);
        if (nameRequired) d.CheckName(name);
        d.CheckTrigger(trigger);
        d.CheckUrl(url, requireHttps);
        d.CheckBody(body);
        return d;
    }

    public static WebhookDefinition Check(TriggerCatalog triggers, WebhookInput input, bool requireHttps)
    {
        var d = Check(triggers, input.Name, input.Trigger, input.Url, input.Body, requireHttps: requireHttps);
        d.CheckConditions(input.Conditions);
        d.CheckRetrySchedule(input.RetrySchedule);
        d.CheckRateLimit(input.RateLimit);
        d.CheckOrdering(input.Ordering);
        WebhookHeaders.Check(input.Headers, d.Errors);
        return d;
    }

    public ValidationProblem ToProblem()
    {
        var extensions = new Dictionary<string, object?>();
        if (UnknownVariables.Count > 0) extensions["unknownVariables"] = UnknownVariables;
        if (BodyError is not null) extensions["bodyError"] = BodyError;
        return TypedResults.ValidationProblem(Errors,
            title: "The webhook is not valid.",
            detail: string.Join(" ", Errors.SelectMany(e => e.Value)),
            extensions: extensions);
    }

    /// <summary>
    /// Checks the conditions like the templates: a variable no trigger knows (with the closest name), an operator its type
    /// does not take, a value missing, too long, or not a number where a number is compared. Each error names its field,
    /// <c>conditions[i].variable</c>, <c>.operator</c> or <c>.value</c>.
    /// </summary>
    public void CheckConditions(IReadOnlyList<ConditionInput?>? conditions)
    {
        if (conditions is null || conditions.Count == 0) return;
        if (conditions.Count > ConditionInput.MaxConditions)
        {
            Errors["conditions"] = [$"At most {ConditionInput.MaxConditions} conditions."];
            return;
        }
        var valid = new List<Condition>();
        for (var i = 0; i < conditions.Count; i++)
        {
            if (conditions[i] is not { } input)
                Errors[$"conditions[{i}]"] = ["A condition is an object with variable, operator and value."];
            else if (!input.TryText(out var value))
                Errors[$"conditions[{i}].value"] = ["The value must be a string or a number."];
            else if (CheckCondition($"conditions[{i}]", input.Variable, input.Operator, value) is { } condition)
                valid.Add(condition);
        }
        Conditions = valid.Count > 0 ? valid : null;
    }

    /// <summary>The warnings of stored conditions: the variables the trigger does not carry.</summary>
    public void CheckConditions(IReadOnlyList<Condition>? conditions)
    {
        for (var i = 0; i < (conditions?.Count ?? 0); i++)
            CheckCondition($"conditions[{i}]", conditions![i].Variable, conditions[i].Operator, conditions[i].Value);
    }

    private Condition? CheckCondition(string field, string? variable, string? op, string? value)
    {
        if (string.IsNullOrWhiteSpace(variable))
        {
            Errors[field + ".variable"] = ["A variable of the trigger is required."];
            return null;
        }
        if (!CheckVariables(field + ".variable", [variable], "the condition sees an empty value")) return null;
        var type = _triggers.TypeOf(variable)!.Value;
        var operators = ConditionOperator.For(type);
        if (op is null || !operators.Contains(op))
        {
            Errors[field + ".operator"] = [$"{(type == VariableType.Number ? "A number" : "A text")} variable takes one of: {string.Join(", ", operators)}."];
            return null;
        }
        if (!ConditionOperator.TakesValue(op))
        {
            if (string.IsNullOrEmpty(value)) return new Condition(variable, op, null);
            Errors[field + ".value"] = [$"'{op}' takes no value."];
            return null;
        }
        if (value is null || value.Length == 0 && op is ConditionOperator.Contains or ConditionOperator.StartsWith)
            Errors[field + ".value"] = ["A value is required."];
        else if (value.Length > ConditionInput.MaxValueLength || value.Any(char.IsControl))
            Errors[field + ".value"] = [$"At most {ConditionInput.MaxValueLength} characters, without control characters."];
        else if (type == VariableType.Number && !ConditionOperator.TryNumber(value, out _))
            Errors[field + ".value"] = [$"'{value}' is not a number: write it like 100 or -20.5."];
        else
            return new Condition(variable, op, value);
        return null;
    }

    private void CheckOrdering(string? ordering)
    {
        if (ordering is null or WebhookOrdering.None) return;
        if (ordering == WebhookOrdering.PerCustomer) Ordering = ordering;
        else Errors["ordering"] = [$"'{WebhookOrdering.None}' (the default) or '{WebhookOrdering.PerCustomer}'."];
    }

    private void CheckRateLimit(RateLimitInput? limit)
    {
        if (limit is null) return;
        if (limit.Per is not (DeliveryRateLimit.Second or DeliveryRateLimit.Minute))
        {
            Errors["rateLimit.per"] = ["'second' or 'minute'."];
            return;
        }
        var most = limit.Per == DeliveryRateLimit.Second ? DeliveryRateLimit.MaxPerSecond : DeliveryRateLimit.MaxPerMinute;
        if (limit.Requests is not { } requests || requests < 1 || requests > most)
            Errors["rateLimit.requests"] = [$"A whole number of requests per {limit.Per}, 1-{most}."];
        else
            RateLimit = new DeliveryRateLimit(requests, limit.Per);
    }

    private void CheckRetrySchedule(IReadOnlyList<int>? schedule)
    {
        if (schedule is null) return;
        if (schedule.Count > MaxRetries || schedule.Any(s => s is < 0 or > MaxRetryDelaySeconds))
            Errors["retrySchedule"] = [$"At most {MaxRetries} delays, each 0-{MaxRetryDelaySeconds} seconds; null for the default schedule."];
    }

    private void CheckName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
            Errors["name"] = [$"A name of 1-{MaxNameLength} characters without control characters is required."];
    }

    private void CheckTrigger(string? trigger)
    {
        Trigger = _triggers.Find(trigger);
        if (Trigger is null)
            Errors["trigger"] = [string.IsNullOrWhiteSpace(trigger)
                ? $"A trigger is required: one of {KnownTriggers}."
                : $"Unknown trigger '{trigger}': use one of {KnownTriggers}."];
    }

    private string KnownTriggers => string.Join(", ", _triggers.All.Select(t => t.Name));

    private void CheckUrl(string? url, bool requireHttps)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            Errors["url"] = ["A URL is required."];
            return;
        }
        if (url.Length > MaxUrlLength || url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            Errors["url"] = [$"The URL must be at most {MaxUrlLength} characters, without spaces or control characters."];
            return;
        }
        var template = UrlTemplate.Parse(url);
        if (!CheckVariables("url", template.VariableNames)) return;
        // The destination is fixed when the webhook is saved: an event's values could otherwise leave the host empty
        // (no request can be built) or point it anywhere.
        if (template.FirstPlaceholderAt is >= 0 and var at && at < AuthorityEnd(url))
        {
            Errors["url"] = ["Variables may be used in the URL's path and query only, not in its scheme, host or port."];
            return;
        }

        // The URL must be a valid absolute http(s) URL once filled in, whatever the values.
        var rendered = template.Render(Trigger?.SampleValues ?? new Dictionary<string, TemplateValue>());
        if (!DeliveryRequest.IsHttpUrl(rendered))
        {
            Errors["url"] = ["The URL must be an absolute http:// or https:// URL without user info (checked with sample values)."];
            return;
        }
        if (requireHttps && !rendered.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            Errors["url"] = ["This service only delivers to https:// URLs."];
            return;
        }
        UrlTemplate = template;
    }

    private void CheckBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return;
        if (body.Length > MaxBodyLength)
        {
            Errors["body"] = [$"The body template must be at most {MaxBodyLength} characters."];
            return;
        }
        if (!BodyTemplate.TryParse(body, out var template, out var error))
        {
            BodyError = new BodyErrorPosition(error!.Line, error.Column, error.Offset);
            Errors["body"] = [$"The body is not a valid JSON template: {error.Message}"];
            return;
        }
        if (CheckVariables("body", template!.VariableNames)) BodyTemplate = template;
    }

    private bool CheckVariables(string field, IReadOnlyList<string> names, string lacking = "it will be sent as an empty value")
    {
        var messages = new List<string>();
        foreach (var name in names)
        {
            if (!_triggers.KnownVariables.Contains(name))
            {
                var suggestion = _triggers.Suggest(name);
                UnknownVariables.Add(new UnknownVariable(field, name, suggestion));
                messages.Add(suggestion is null
                    ? $"Unknown variable #{name}#."
                    : $"Unknown variable #{name}#: did you mean #{suggestion}#?");
            }
            else if (Trigger is not null && !Trigger.Carries(name))
            {
                Warnings.Add(new VariableWarning(field, name,
                    $"Trigger '{Trigger.Name}' does not carry #{name}#: {lacking}."));
            }
        }
        if (messages.Count == 0) return true;
        Errors[field] = [.. messages];
        return false;
    }

    /// <summary>Where the scheme, host and port end: at the first '/' or '?' after "://", or the end.</summary>
    private static int AuthorityEnd(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return url.Length;
        var end = url.IndexOfAny(['/', '?'], start + 3);
        return end < 0 ? url.Length : end;
    }
}
