using Ellity.Webhooks.Templating;
using static Ellity.Tests.Webhooks.Templating.TemplateTestData;

namespace Ellity.Tests.Webhooks.Templating;

public class PlaceholderTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("customer")]
    [InlineData("customer.id")]
    [InlineData("customer.group_id")]
    [InlineData("tierChange.previous.name")]
    [InlineData("a1")]
    [InlineData("Z.9_x")]
    [InlineData("ends.with.dot.")]
    public void names_start_with_an_ascii_letter_and_continue_with_letters_digits_dots_and_underscores(string name)
    {
        Assert.Equal([name], UrlTemplate.Parse($"https://x/?v=#{name}#").VariableNames);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData(".a")]
    [InlineData("_a")]
    [InlineData("a-b")]
    [InlineData("a b")]
    [InlineData(" a")]
    [InlineData("a#")]
    [InlineData("čas")]
    [InlineData("jméno")]
    public void other_names_are_not_placeholders(string name)
    {
        Assert.DoesNotContain(name, UrlTemplate.Parse($"https://x/?v=#{name}#").VariableNames);
    }

    [Fact]
    public void a_placeholder_is_a_valid_name_between_two_hashes()
    {
        var template = UrlTemplate.Parse("https://x/#customer.group_id2#");

        Assert.Equal(["customer.group_id2"], template.VariableNames);
        Assert.Equal("https://x/g7", template.Render(Values(("customer.group_id2", TemplateValue.Text("g7")))));
    }

    [Theory]
    [InlineData("https://x/a#")]
    [InlineData("https://x/#")]
    [InlineData("https://x/y#top")]
    [InlineData("https://x/a##b")]
    [InlineData("https://x/?c=# name#")]
    [InlineData("https://x/?c=#name #")]
    [InlineData("https://x/?c=#1abc#")]
    [InlineData("https://x/?c=#_a#")]
    [InlineData("https://x/?c=#a-b#")]
    [InlineData("https://x/?c=#fff")]
    [InlineData("https://x/?c=#čas#")]
    public void a_hash_not_starting_a_valid_placeholder_is_literal_text(string text)
    {
        var template = UrlTemplate.Parse(text);

        Assert.Empty(template.VariableNames);
        Assert.Equal(text, template.Render(Values(("name", TemplateValue.Text("X")), ("fff", TemplateValue.Text("X")))));
    }

    [Fact]
    public void scanning_continues_after_the_closing_hash_so_it_does_not_open_another_placeholder()
    {
        var template = UrlTemplate.Parse("https://x/#a#b#");

        Assert.Equal(["a"], template.VariableNames);
        Assert.Equal("https://x/1b#", template.Render(Values(("a", TemplateValue.Text("1")), ("b", TemplateValue.Text("2")))));
    }

    [Fact]
    public void a_literal_hash_right_before_a_placeholder_stays_literal()
    {
        var template = UrlTemplate.Parse("https://x/##a#");

        Assert.Equal(["a"], template.VariableNames);
        Assert.Equal("https://x/#1", template.Render(Values(("a", TemplateValue.Text("1")))));
    }

    [Fact]
    public void a_url_fragment_after_a_placeholder_stays_literal()
    {
        var template = UrlTemplate.Parse("https://x/y?id=#customer.id##top");

        Assert.Equal(["customer.id"], template.VariableNames);
        Assert.Equal("https://x/y?id=42#top", template.Render(Values(("customer.id", TemplateValue.Text("42")))));
    }

    [Fact]
    public void hashes_inside_json_strings_that_are_not_placeholders_stay_literal()
    {
        const string text = """{"color": "#fff", "tag": "#1abc#", "pair": "##", "spaced": "# name#", "lone": "a # b", "url": "https://x/y#top"}""";

        var template = ParseBody(text);

        Assert.Empty(template.VariableNames);
        Assert.Equal(text, template.Render(Values(("name", TemplateValue.Text("X")), ("fff", TemplateValue.Text("X")))));
    }
}
