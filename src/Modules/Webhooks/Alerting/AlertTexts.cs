using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text;
using Ellity.Webhooks.Delivering;

namespace Ellity.Webhooks.Alerting;

/// <summary>What an alert says about one webhook, gathered when it is sent.</summary>
public sealed record AlertFacts(
    string Alert, string WebhookName, string WebhookUrl, DateTimeOffset At, DateTimeOffset? FailingSince, int ConsecutiveFailures,
    string? LastError, string? FailureKind, string? Reason, DateTimeOffset? DisablesAt, string? DeliveryLogUrl);

/// <summary>An alert as e-mail: a subject, plain text, and the same as simple HTML.</summary>
public sealed record AlertEmailContent(string Subject, string Text, string Html);

/// <summary>The alert e-mails in Czech and English: what happened to which webhook, since when, in plain words, and what to do.</summary>
public static class AlertTexts
{
    /// <summary>Escapes markup only: Czech letters stay readable in the HTML source.</summary>
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static AlertEmailContent Email(AlertFacts f, string language, TimeZoneInfo zone)
    {
        var cs = language == "cs";
        string Time(DateTimeOffset? at) => Format(at, zone, cs);
        var name = f.WebhookName;
        var explanation = f.FailureKind is null ? null : FailureKinds.Explain(f.FailureKind, language);
        var (subject, lead) = f.Alert switch
        {
            Alerts.Failing => cs
                ? ($"Webhook „{name}“ nefunguje", $"Webhook „{name}“ od {Time(f.FailingSince)} nedoručuje zprávy (neúspěšných pokusů za sebou: {f.ConsecutiveFailures}).")
                : ($"Webhook \"{name}\" is failing", $"Webhook \"{name}\" has not delivered since {Time(f.FailingSince)} (failed attempts in a row: {f.ConsecutiveFailures})."),
            Alerts.WillBeDisabled => cs
                ? ($"Webhook „{name}“ bude brzy vypnut", $"Webhook „{name}“ nedoručuje zprávy od {Time(f.FailingSince)}. Pokud se do {Time(f.DisablesAt)} žádnou nepodaří doručit, bude automaticky vypnut.")
                : ($"Webhook \"{name}\" will be switched off soon", $"Webhook \"{name}\" has not delivered since {Time(f.FailingSince)}. Unless a delivery succeeds by {Time(f.DisablesAt)}, it will be switched off automatically."),
            Alerts.Disabled => cs
                ? ($"Webhook „{name}“ byl vypnut", $"Webhook „{name}“ byl {Time(f.At)} vypnut: {DisabledBecause(f, cs, Time)}")
                : ($"Webhook \"{name}\" was switched off", $"Webhook \"{name}\" was switched off at {Time(f.At)}: {DisabledBecause(f, cs, Time)}"),
            _ => cs
                ? ($"Webhook „{name}“ opět funguje", $"Webhook „{name}“ od {Time(f.At)} opět doručuje (nefungoval od {Time(f.FailingSince)}). Co mezitím selhalo, můžete poslat znovu tlačítkem „Znovu poslat vše, co selhalo od začátku problému“ v seznamu webhooků.")
                : ($"Webhook \"{name}\" works again", $"Webhook \"{name}\" delivers again since {Time(f.At)} (it was failing since {Time(f.FailingSince)}). What failed in the meantime can be sent again with \"Resend everything that failed since the problem began\" in the list of webhooks."),
        };
        var lines = new List<(string Label, string Value)> { (cs ? "Adresa" : "URL", f.WebhookUrl) };
        if (f.Alert != Alerts.Recovered && explanation is not null)
        {
            lines.Add((cs ? "Co se stalo" : "What happened", explanation.Text));
            if (f.LastError is not null) lines.Add((cs ? "Poslední chyba" : "Last error", f.LastError));
            lines.Add((cs ? "Co s tím" : "What to do", explanation.Fix));
        }
        if (f.DeliveryLogUrl is not null) lines.Add((cs ? "Historie odeslání" : "Delivery log", f.DeliveryLogUrl));
        return Compose(subject, lead, lines, f.DeliveryLogUrl, cs);
    }

    /// <summary>Removing the Webhooks feature switched these webhooks off (name, URL without its query): one e-mail for them all.</summary>
    public static AlertEmailContent FeatureRemovedEmail(IReadOnlyList<(string Name, string Url)> webhooks, DateTimeOffset at, string language,
        TimeZoneInfo zone, string? adminPageUrl)
    {
        var cs = language == "cs";
        var time = Format(at, zone, cs);
        var (subject, lead) = cs
            ? ($"Webhooky e-shopu byly vypnuty ({webhooks.Count})",
                $"E-shop odebral funkci Webhooky, proto byly {time} vypnuty tyto webhooky. Když funkci znovu přidáte, začnou posílat, co se stane od té chvíle.")
            : ($"The e-shop's webhooks were switched off ({webhooks.Count})",
                $"The e-shop removed the Webhooks feature, so these webhooks were switched off at {time}. Adding the feature again makes them send what happens from then on.");
        var lines = webhooks.Select(w => (w.Name, w.Url)).ToList();
        var admin = adminPageUrl is { Length: > 0 } url ? url.TrimEnd('/') : null;
        if (admin is not null) lines.Add((cs ? "Administrace" : "Admin page", admin));
        return Compose(subject, lead, lines, admin, cs);
    }

    /// <summary>The e-mail as plain text and as simple HTML: the lead, a table of labelled lines (<paramref name="link"/> as a link), the footer.</summary>
    private static AlertEmailContent Compose(string subject, string lead, IReadOnlyList<(string Label, string Value)> lines, string? link, bool cs)
    {
        var footer = cs
            ? "Tuto zprávu posílá Ellity, protože je tato adresa uvedena v nastavení upozornění e-shopu."
            : "Ellity sends this because this address is in the e-shop's notification settings.";

        var text = new StringBuilder().AppendLine(lead).AppendLine();
        foreach (var (label, value) in lines) text.AppendLine($"{label}: {value}");
        text.AppendLine().AppendLine(footer);

        var html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.4\">");
        html.Append("<p>").Append(Html.Encode(lead)).Append("</p><table>");
        foreach (var (label, value) in lines)
        {
            var shown = value == link
                ? $"<a href=\"{Html.Encode(value)}\">{Html.Encode(value)}</a>"
                : Html.Encode(value);
            html.Append("<tr><th style=\"text-align:left;vertical-align:top;padding-right:1em\">").Append(Html.Encode(label))
                .Append("</th><td>").Append(shown).Append("</td></tr>");
        }
        html.Append("</table><p style=\"color:#666;font-size:small\">").Append(Html.Encode(footer)).Append("</p></body></html>");
        return new AlertEmailContent(subject, text.ToString(), html.ToString());
    }

    /// <summary>
    /// The system's reasons are English sentences for the API; the e-mail says them in the shop's language. The last
    /// error has a line of its own, so a switch-off after failing too long needs only the time the failures began.
    /// </summary>
    private static string DisabledBecause(AlertFacts f, bool cs, Func<DateTimeOffset?, string> time) => f.Reason switch
    {
        DisableFailingWebhookHandler.Gone => cs ? "příjemce odpověděl 410 Gone, adresa už neplatí." : "the receiver answered 410 Gone: the address is no more.",
        WebhooksFeature.Removed => cs ? "e-shop odebral funkci Webhooky." : "the e-shop removed the Webhooks feature.",
        _ => cs ? $"všechny pokusy od {time(f.FailingSince)} selhaly." : $"every attempt since {time(f.FailingSince)} failed.",
    };

    /// <summary>A time in the shop's zone, which is named: "3. 12. 2026 13:41 (Europe/Prague)", "3 Dec 2026 13:41 (Europe/Prague)".</summary>
    public static string Format(DateTimeOffset? at, TimeZoneInfo zone, bool cs) =>
        at is { } t
            ? TimeZoneInfo.ConvertTime(t, zone).ToString(cs ? "d. M. yyyy H:mm" : "d MMM yyyy HH:mm", CultureInfo.InvariantCulture) + $" ({zone.Id})"
            : "?";
}
