namespace Ellity.Webhooks;

/// <summary>
/// Why an attempt failed, as a stable name a program can switch on (<c>failureKind</c> in the API), and in plain words for
/// a shop owner: what happened and what to do about it, in Czech or English.
/// </summary>
public static class FailureKinds
{
    public const string CredentialsRefused = "credentialsRefused";
    public const string NotFound = "notFound";
    public const string Gone = "gone";
    public const string MethodNotAllowed = "methodNotAllowed";
    public const string PayloadTooLarge = "payloadTooLarge";
    public const string RateLimited = "rateLimited";
    public const string ClientError = "clientError";
    public const string ServerError = "serverError";
    public const string UnexpectedStatus = "unexpectedStatus";
    public const string Timeout = "timeout";
    public const string ConnectionRefused = "connectionRefused";
    public const string DnsNotFound = "dnsNotFound";
    public const string Tls = "tls";
    public const string Blocked = "blocked";
    public const string CircuitOpen = "circuitOpen";
    public const string ConnectionClosed = "connectionClosed";
    public const string InvalidResponse = "invalidResponse";
    public const string Network = "network";
    public const string NotSent = "notSent";

    /// <summary>What an answer's status code means, for a status that is not a success.</summary>
    public static string FromStatus(int status) => status switch
    {
        401 or 403 => CredentialsRefused,
        404 => NotFound,
        405 => MethodNotAllowed,
        410 => Gone,
        413 => PayloadTooLarge,
        429 => RateLimited,
        >= 400 and < 500 => ClientError,
        >= 500 => ServerError,
        _ => UnexpectedStatus,
    };

    /// <summary>The kind of a failed attempt: the one recorded, or for attempts recorded before kinds were, from its status.</summary>
    public static string? Of(DeliveryAttempted attempt) =>
        attempt.Succeeded ? null : attempt.FailureKind ?? (attempt.StatusCode is { } status ? FromStatus(status) : Network);

    public static FailureExplanation Explain(string kind, string language)
    {
        var (cs, en) = Texts.TryGetValue(kind, out var texts) ? texts : Texts[Network];
        return language == "cs" ? cs : en;
    }

    /// <summary>Every kind there is, for the API's documentation and the tests.</summary>
    public static IEnumerable<string> All => Texts.Keys;

    private static readonly Dictionary<string, (FailureExplanation Cs, FailureExplanation En)> Texts = new()
    {
        [CredentialsRefused] = (
            new("Příjemce odmítl přihlašovací údaje (401 nebo 403).",
                "Zkontrolujte klíč nebo token v adrese nebo v hlavičce webhooku; u příjemce mohl být změněn nebo mu vypršela platnost."),
            new("The receiver refused the credentials (401 or 403).",
                "Check the key or token in the webhook's URL or headers; the receiver may have changed it or it may have expired.")),
        [NotFound] = (
            new("Adresa u příjemce neexistuje (404).",
                "Zkontrolujte adresu webhooku, zvláště cestu za názvem serveru; služba mohla adresu změnit."),
            new("The address does not exist at the receiver (404).",
                "Check the webhook's URL, especially the path after the host name; the service may have moved it.")),
        [Gone] = (
            new("Příjemce oznámil, že tuto adresu už nechce dostávat (410).",
                "Webhook byl proto vypnut. Pokud má příjemce dál dostávat data, zjistěte u něj novou adresu a webhook zapněte."),
            new("The receiver said it no longer wants this address called (410).",
                "The webhook was switched off for that. If the receiver should still get data, ask it for the new address and switch the webhook on.")),
        [MethodNotAllowed] = (
            new("Příjemce nepřijímá tuto metodu (405).",
                "Webhook s tělem posílá POST, bez těla GET. Zjistěte, kterou metodu příjemce čeká, a tělo doplňte nebo odeberte."),
            new("The receiver does not accept this method (405).",
                "A webhook with a body sends POST, without one GET. Find out which the receiver expects and add or remove the body.")),
        [PayloadTooLarge] = (
            new("Tělo požadavku je na příjemce příliš velké (413).",
                "Zmenšete tělo webhooku, nebo požádejte příjemce o vyšší limit."),
            new("The request body is too large for the receiver (413).",
                "Make the webhook's body smaller, or ask the receiver for a higher limit.")),
        [RateLimited] = (
            new("Příjemce dostává příliš mnoho požadavků (429).",
                "Nastavte webhooku omezení rychlosti podle limitu příjemce; doručení se zopakují samy."),
            new("The receiver gets too many requests (429).",
                "Give the webhook a rate limit that matches the receiver's; the deliveries are retried on their own.")),
        [ClientError] = (
            new("Příjemce požadavek odmítl jako chybný.",
                "Odpověď příjemce v záznamu doručení obvykle říká, co mu vadí; upravte podle ní adresu nebo tělo."),
            new("The receiver refused the request as wrong.",
                "The receiver's answer in the delivery log usually says what it objects to; change the URL or body accordingly.")),
        [ServerError] = (
            new("Příjemce má vlastní potíže (chyba 5xx).",
                "Obvykle jde o výpadek na jeho straně; doručení se zopakují samy. Trvá-li to, obraťte se na provozovatele příjemce."),
            new("The receiver has a problem of its own (a 5xx error).",
                "Usually an outage on its side; the deliveries are retried on their own. If it lasts, contact whoever runs the receiver.")),
        [UnexpectedStatus] = (
            new("Příjemce odpověděl neočekávaným kódem (například přesměrováním).",
                "Přesměrování se nesledují: zadejte konečnou adresu, na kterou příjemce přesměrovává."),
            new("The receiver answered with an unexpected code (a redirect, say).",
                "Redirects are not followed: enter the final address the receiver redirects to.")),
        [Timeout] = (
            new("Příjemce neodpověděl včas.",
                "Příjemce má odpovědět rychle a práci udělat až potom. Zkontrolujte, zda je dostupný a není přetížený."),
            new("The receiver did not answer in time.",
                "The receiver should answer quickly and do the work afterwards. Check that it is up and not overloaded.")),
        [ConnectionRefused] = (
            new("Příjemce odmítl spojení: na adrese a portu nic neposlouchá.",
                "Zkontrolujte port v adrese a zda služba příjemce běží."),
            new("The receiver refused the connection: nothing listens at that address and port.",
                "Check the port in the URL and that the receiving service is running.")),
        [DnsNotFound] = (
            new("Název serveru v adrese neexistuje (DNS).",
                "Zkontrolujte překlepy v názvu serveru; doména mohla také vypršet."),
            new("The host name in the URL does not exist (DNS).",
                "Check the host name for typos; the domain may also have expired.")),
        [Tls] = (
            new("Zabezpečené spojení se nepodařilo navázat (certifikát TLS).",
                "Certifikát příjemce je neplatný, prošlý nebo vydaný na jiný název. Příjemce ho musí obnovit."),
            new("The secure connection failed (TLS certificate).",
                "The receiver's certificate is invalid, expired or issued for another name. The receiver has to renew it.")),
        [Blocked] = (
            new("Adresa vede do vnitřní sítě, kam se webhooky neposílají.",
                "Použijte veřejnou adresu příjemce; adresy jako localhost nebo 10.x.x.x nejsou povoleny."),
            new("The address leads into an internal network, where webhooks are not sent.",
                "Use the receiver's public address; addresses such as localhost or 10.x.x.x are not allowed.")),
        [CircuitOpen] = (
            new("Všechny nedávné požadavky na tento server selhaly, proto je posílání na chvíli pozastaveno.",
                "Nic nemusíte dělat: jakmile server znovu odpovídá, doručení pokračují. Opravte příčinu předchozích chyb."),
            new("Every recent request to this host failed, so sending to it is paused for a while.",
                "Nothing to do here: once the host answers again, deliveries go on. Fix the cause of the earlier failures.")),
        [ConnectionClosed] = (
            new("Příjemce ukončil spojení dřív, než poslal celou odpověď.",
                "Obvykle jde o pád nebo restart příjemce; doručení se zopakují samy."),
            new("The receiver closed the connection before its whole answer arrived.",
                "Usually the receiver crashed or restarted; the deliveries are retried on their own.")),
        [InvalidResponse] = (
            new("Příjemce neodpověděl platnou odpovědí HTTP.",
                "Zkontrolujte, že adresa vede na webový server (http nebo https) a port je správný."),
            new("The receiver's answer was not valid HTTP.",
                "Check that the URL leads to a web server (http or https) and the port is right.")),
        [Network] = (
            new("Spojení s příjemcem se nepodařilo.",
                "Zkontrolujte adresu a zda je příjemce dostupný z internetu."),
            new("The connection to the receiver failed.",
                "Check the URL and that the receiver can be reached from the internet.")),
        [NotSent] = (
            new("Požadavek nebylo možné odeslat.",
                "Důvod je uveden u pokusu. Zadejte znovu vlastní hlavičky nebo tajný klíč, pokud to důvod uvádí."),
            new("The request could not be sent.",
                "The attempt says why. Enter the custom headers or the secret again if that is what it says.")),
    };
}

/// <summary>What happened (<see cref="Text"/>) and what to do about it (<see cref="Fix"/>), in plain words.</summary>
public sealed record FailureExplanation(string Text, string Fix);
