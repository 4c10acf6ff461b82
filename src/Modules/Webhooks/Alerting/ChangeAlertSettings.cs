using System.Text.Json.Serialization;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Alerting;

/// <param name="EmailAlerts">Which alerts go by e-mail; all of them when missing.</param>
/// <remarks>Unknown fields are refused: a mistyped <c>email</c> would otherwise quietly leave the owner without alerts.</remarks>
/// <param name="WebhookUrl">An operational webhook: each alert is POSTed there as JSON, signed (Standard Webhooks).</param>
/// <param name="TimeZone">The IANA time zone the e-mails tell times in; Europe/Prague when missing.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AlertSettingsInput(
    string? Language, IReadOnlyList<string>? Emails, IReadOnlyList<string>? EmailAlerts, string? WebhookUrl,
    IReadOnlyList<string>? WebhookAlerts, int? FailingAfterAttempts, int? FailingAfterMinutes, string? TimeZone = null);

/// <summary>
/// The e-shop's notification settings. <c>webhookSecret</c> signs the operational webhook (null when the key ring can no
/// longer read it: saving the settings makes a new one), and after a rotation the previous one too, until
/// <c>previousWebhookSecretExpiresAt</c>; <c>emailAvailable</c> says
/// whether this installation sends e-mail at all.
/// </summary>
public sealed record AlertSettingsResponse(
    string Language, IReadOnlyList<string> Emails, IReadOnlyList<string> EmailAlerts, string? WebhookUrl,
    IReadOnlyList<string> WebhookAlerts, string? WebhookSecret, DateTimeOffset? PreviousWebhookSecretExpiresAt,
    int FailingAfterAttempts, int FailingAfterMinutes, string TimeZone, bool EmailAvailable, IReadOnlyList<string> AlertKinds)
{
    public static AlertSettingsResponse From(AlertSettings s, WebhookSecretProtector secrets, bool canEmail) => new(
        s.Language, s.Emails, s.EmailAlerts, s.WebhookUrl, s.WebhookAlerts,
        s.WebhookSecret is null ? null : secrets.TryUnprotect(s.Id, s.WebhookSecret),
        s.PreviousWebhookSecretExpiresAt > DateTimeOffset.UtcNow ? s.PreviousWebhookSecretExpiresAt : null, s.FailingAfterAttempts, s.FailingAfterMinutes,
        s.TimeZone, canEmail, Alerts.All);
}

/// <summary>Replaces the e-shop's notification settings as a whole.</summary>
public static class ChangeAlertSettingsEndpoint
{
    public const int MaxEmails = 10;
    public const int MaxEmailLength = 254;
    public const int MaxFailingAfterAttempts = 100;
    public const int MaxFailingAfterMinutes = 7 * 24 * 60;

    public static ProblemDetails Validate(AlertSettingsInput? body, IOptions<WebhooksOptions> options)
    {
        var errors = body is null
            ? new Dictionary<string, string[]> { [""] = ["A JSON object with the settings is required ({} for the defaults)."] }
            : Check(body, options.Value.RequireHttps);
        return errors.Count == 0 ? WolverineContinue.NoProblems
            : TypedResults.ValidationProblem(errors, title: "The notification settings are not valid.",
                detail: string.Join(" ", errors.SelectMany(e => e.Value))).ProblemDetails;
    }

    public static Dictionary<string, string[]> Check(AlertSettingsInput input, bool requireHttps)
    {
        var errors = new Dictionary<string, string[]>();
        if (input.Language is not null and not ("cs" or "en")) errors["language"] = ["The language is \"cs\" (the default) or \"en\"."];
        var emails = input.Emails ?? [];
        if (emails.Count > MaxEmails) errors["emails"] = [$"At most {MaxEmails} e-mail addresses."];
        for (var i = 0; i < emails.Count && i < MaxEmails; i++)
        {
            if (!IsEmail(emails[i])) errors[$"emails[{i}]"] = ["Not an e-mail address such as owner@example.cz."];
        }
        CheckAlerts(input.EmailAlerts, "emailAlerts", errors);
        CheckAlerts(input.WebhookAlerts, "webhookAlerts", errors);
        if (input.WebhookUrl is { } url)
        {
            if (url.Length > 2048 || !DeliveryRequest.IsHttpUrl(url))
                errors["webhookUrl"] = ["An absolute http:// or https:// URL without user info, at most 2048 characters."];
            else if (requireHttps && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                errors["webhookUrl"] = ["This service only delivers to https:// URLs."];
        }
        if (input.FailingAfterAttempts is { } attempts && attempts is < 1 or > MaxFailingAfterAttempts)
            errors["failingAfterAttempts"] = [$"Failed attempts in a row before a webhook counts as failing: 1-{MaxFailingAfterAttempts}."];
        if (input.FailingAfterMinutes is { } minutes && minutes is < 1 or > MaxFailingAfterMinutes)
            errors["failingAfterMinutes"] = [$"Minutes of failing before a webhook counts as failing: 1-{MaxFailingAfterMinutes}."];
        if (input.TimeZone is { } zone && AlertSettings.FindTimeZone(zone) is null)
            errors["timeZone"] = ["An IANA time zone such as Europe/Prague (the default) or UTC."];
        return errors;
    }

    private static void CheckAlerts(IReadOnlyList<string>? alerts, string field, Dictionary<string, string[]> errors)
    {
        if (alerts is not null && alerts.FirstOrDefault(a => !Alerts.All.Contains(a)) is { } unknown)
            errors[field] = [$"Unknown alert \"{unknown}\"; the alerts are {string.Join(", ", Alerts.All)}."];
    }

    /// <summary>A bare address (no display name), as the owner would type it.</summary>
    private static bool IsEmail(string? value) =>
        value is { Length: > 0 and <= MaxEmailLength } && value.Trim() == value && !value.Any(char.IsControl)
        && MailAddress.TryCreate(value, out var address) && address.Address == value && string.IsNullOrEmpty(address.DisplayName);

    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverinePut("/api/eshops/{eshopId}/notifications"), Tags("Notifications"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static async Task<AlertSettingsResponse> Put(string eshopId, AlertSettingsInput? body, IDocumentSession session,
        WebhookSecretProtector secrets, IOptions<NotificationsOptions> notifications, CancellationToken ct)
    {
        var input = body!;
        // For writing: a first change starts the e-shop's stream, and two changes racing cannot both base themselves on one version.
        var stream = await session.Events.FetchForWriting<AlertSettings>(AlertSettings.IdFor(eshopId), ct);
        var current = stream.Aggregate ?? AlertSettings.Default(eshopId);
        // A secret the key ring can no longer read could sign nothing: saving again is how the owner gets a new one.
        var kept = current.WebhookSecret is { } stored && secrets.TryUnprotect(current.Id, stored) is not null ? stored : null;
        var secret = input.WebhookUrl is null ? null : kept ?? secrets.Protect(WebhookSecrets.New());
        var changed = new AlertSettingsChanged(eshopId, input.Language ?? "cs",
            (input.Emails ?? []).Distinct(StringComparer.OrdinalIgnoreCase).ToList(), Ordered(input.EmailAlerts),
            input.WebhookUrl, Ordered(input.WebhookAlerts), secret,
            input.FailingAfterAttempts ?? AlertSettings.DefaultFailingAfterAttempts,
            input.FailingAfterMinutes ?? AlertSettings.DefaultFailingAfterMinutes, DateTimeOffset.UtcNow,
            AlertSettings.FindTimeZone(input.TimeZone)?.Id ?? AlertSettings.DefaultTimeZone);
        stream.AppendOne(changed);
        return AlertSettingsResponse.From(current.Apply(changed), secrets, notifications.Value.CanEmail);
    }

    private static IReadOnlyList<string> Ordered(IReadOnlyList<string>? alerts) =>
        alerts is null ? Alerts.All : Alerts.All.Where(alerts.Contains).ToList();
}
