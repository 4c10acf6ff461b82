namespace Ellity.Webhooks;

/// <summary>
/// At most <see cref="Requests"/> requests to the webhook per second or per minute (<see cref="Per"/>), as the receiver
/// allows: its deliveries go out evenly spaced, one every <see cref="Interval"/>, and the ones over the limit wait.
/// </summary>
public sealed record DeliveryRateLimit(int Requests, string Per)
{
    public const string Second = "second";
    public const string Minute = "minute";
    public const int MaxPerSecond = 50;
    public const int MaxPerMinute = 3000;

    public TimeSpan Interval => (Per == Minute ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(1)) / Requests;

    public override string ToString() => $"{Requests} per {Per}";
}

/// <summary>Whether a webhook's deliveries for one customer go out one after another, in the order of the events.</summary>
public static class WebhookOrdering
{
    /// <summary>The default: every delivery is attempted as soon as it can be; a retry may arrive after a newer change.</summary>
    public const string None = "none";

    /// <summary>A delivery for a customer waits while an earlier one of the same webhook for that customer is pending.</summary>
    public const string PerCustomer = "perCustomer";
}
