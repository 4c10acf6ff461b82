using Ellity.Customers;
using Ellity.Customers.Contracts;

namespace Ellity.Tests.Customers;

/// <summary>Publishing walks back from a customer's newest state instead of folding the whole history; both must agree.</summary>
public sealed class CustomerHistoryTests
{
    [Fact]
    public void walking_back_from_the_newest_state_gives_the_customer_after_every_event()
    {
        var random = new Random(7);
        var id = Guid.NewGuid();
        var events = new List<object> { new CustomerRegistered(id, "shop", "jana@example.cz", 10m, null, new NamedRef("silver", "Silver")) };
        var forward = new List<Customer> { Customer.Fold(null, events[0]) with { Version = 1 } };
        for (var n = 2; n <= 500; n++)
        {
            var now = forward[^1];
            object e = random.Next(4) switch
            {
                0 => new TierChanged(new NamedRef($"t{n}", $"Tier {n}"), now.Tier),
                1 => new GroupChanged(random.Next(3) == 0 ? null : new NamedRef($"g{n}", $"Group {n}"), now.Group),
                _ => random.Next(-500, 500) is var value and not 0 ? new CreditChanged(value, null, now.Credit + value) : new CreditChanged(1, null, now.Credit + 1),
            };
            events.Add(e);
            forward.Add(Customer.Fold(now, e) with { Version = n });
        }

        var state = forward[^1];
        for (var i = events.Count - 1; i > 0; i--)
        {
            Assert.Equal(forward[i], state);
            state = Customer.Unfold(state, events[i])!;
        }
        Assert.Equal(forward[0], state);
        Assert.Null(Customer.Unfold(state, events[0]));
    }
}
