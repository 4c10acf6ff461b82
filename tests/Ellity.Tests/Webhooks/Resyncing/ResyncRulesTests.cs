using Ellity.Customers.Contracts;
using Ellity.Webhooks;
using Ellity.Webhooks.Conditions;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Resyncing;
using Ellity.Webhooks.Triggers;

namespace Ellity.Tests.Webhooks.Resyncing;

/// <summary>What a resync's page decides, without a database: pure functions of the job, the webhook and the customers.</summary>
public sealed class ResyncRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly WebhooksOptions Options = new();

    private static Webhook NewWebhook(DeliveryRateLimit? limit = null, IReadOnlyList<Condition>? conditions = null) => Webhook.Create(
        new WebhookCreated(Guid.CreateVersion7(), "shop", "ERP", "customer.credit.changed", "https://erp.example.cz/",
            """{"credit": #customer.credit#, "change": "#creditChange.value#"}""", true, Start, Conditions: conditions, RateLimit: limit));

    private static ResyncJob NewJob(Webhook webhook, bool onlyMatching) =>
        ResyncJob.Create(new ResyncStarted(Guid.CreateVersion7(), "shop", webhook.Id, Start, onlyMatching, 3));

    private static CustomerSnapshot Customer(decimal credit) => new(Guid.CreateVersion7(), "shop", "c@example.cz", credit, null, null);

    [Theory]
    [InlineData(null, 0, 100)]
    [InlineData(10, 0, 50)]
    [InlineData(1, 0, 5)]
    [InlineData(30, 1, 2)]
    [InlineData(50, 0, 100)]
    public void a_page_is_what_the_webhook_may_be_sent_in_five_seconds_and_never_more_than_a_hundred(int? requests, int perMinute, int size)
    {
        var limit = requests is { } r ? new DeliveryRateLimit(r, perMinute == 1 ? DeliveryRateLimit.Minute : DeliveryRateLimit.Second) : null;
        Assert.Equal(size, SendResyncPageHandler.PageSize(SendResyncPageHandler.Interval(NewWebhook(limit), Options)));
    }

    [Fact]
    public void only_matching_skips_and_counts_the_customers_who_do_not_meet_the_conditions_and_the_next_page_waits_for_the_sent_ones()
    {
        var webhook = NewWebhook(new DeliveryRateLimit(10, DeliveryRateLimit.Second), [new Condition("customer.credit", ">=", "100")]);
        var job = NewJob(webhook, onlyMatching: true);
        var page = new CustomerPage([Customer(50), Customer(100), Customer(150)], Guid.CreateVersion7());

        var decided = SendResyncPageHandler.Decide(job, webhook, TriggerCatalog.CreditChanged, page, Start, TimeSpan.FromMilliseconds(100), Options);

        var sent = Assert.IsType<ResyncPageSent>(Assert.Single(decided.Events));
        Assert.Equal((1, 3, 2, 1), (sent.Page, sent.Customers, sent.Sent, sent.Skipped));
        var attempts = decided.Attempts.Cast<AttemptDelivery>().Select(a => a.Plan!).ToList();
        Assert.Equal(["{\"credit\": 100, \"change\": \"\"}", "{\"credit\": 150, \"change\": \"\"}"], attempts.Select(p => p.Request.Body));
        Assert.All(attempts, p => Assert.Equal((job.Id, Start, job.Id.ToString()), (p.ResyncJobId!.Value, p.SourceOccurredAt, p.Request.Headers[ResyncJob.Header])));
        Assert.Equal(TimeSpan.FromMilliseconds(200), decided.NextAfter);
    }

    [Fact]
    public void the_same_customer_in_the_same_job_is_the_same_delivery_and_in_the_next_job_another()
    {
        var webhook = NewWebhook();
        var customer = Customer(10);
        var page = new CustomerPage([customer], null);
        var job = NewJob(webhook, onlyMatching: false);
        string Id(ResyncJob j) => ((AttemptDelivery)SendResyncPageHandler.Decide(j, webhook, TriggerCatalog.CreditChanged, page, Start,
            TimeSpan.Zero, Options).Attempts.Single()).DeliveryId.ToString();

        Assert.Equal(Id(job), Id(job));
        Assert.NotEqual(Id(job), Id(NewJob(webhook, onlyMatching: false)));
    }

    [Fact]
    public void the_last_page_completes_the_job_and_its_progress_reads_a_hundred_percent()
    {
        var webhook = NewWebhook();
        var job = NewJob(webhook, onlyMatching: false);
        var decided = SendResyncPageHandler.Decide(job, webhook, TriggerCatalog.CreditChanged,
            new CustomerPage([Customer(1), Customer(2), Customer(3)], null), Start, TimeSpan.Zero, Options);

        Assert.Null(decided.NextAfter);
        var done = decided.Events.Aggregate(job, (j, e) => e switch
        {
            ResyncPageSent p => j.Apply(p), ResyncCompleted c => j.Apply(c), _ => j,
        });
        var response = ResyncResponse.From(done);
        Assert.Equal(("completed", 3, 3, 100), (response.Status, response.Processed, response.Sent, response.Percent));
        Assert.Equal(99, ResyncResponse.From(job with { Processed = 3 }).Percent);
    }

    [Fact]
    public void a_job_cannot_go_on_through_a_webhook_that_is_off_deleted_or_suspended()
    {
        var webhook = NewWebhook();
        Assert.Null(ResyncJob.Stopped(webhook));
        Assert.Equal("The webhook was switched off.", ResyncJob.Stopped(webhook.Apply(new WebhookDisabled(Start))));
        Assert.Equal("The webhook was deleted.", ResyncJob.Stopped(webhook.Apply(new WebhookDeleted(Start))));
        Assert.Equal("The webhook was deleted.", ResyncJob.Stopped(null));
        Assert.NotNull(ResyncJob.Stopped(webhook.Apply(new WebhookSuspended(Start, "removed"))));
    }
}
