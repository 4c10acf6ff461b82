using Ellity.Webhooks.Templating;
using static Ellity.Tests.Webhooks.Templating.TemplateTestData;

namespace Ellity.Tests.Webhooks.Templating;

public class BodyTemplateParseTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" \r\n\t ")]
    public void an_empty_or_blank_template_is_rejected_at_the_start(string text)
    {
        var error = ParseBodyError(text);

        Assert.Equal(new TemplateError(0, 1, 1, error.Message), error);
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void a_trailing_comma_is_rejected_at_the_closing_brace()
    {
        var error = ParseBodyError("""{"a": 1,}""");

        Assert.Equal((8, 1, 9), (error.Offset, error.Line, error.Column));
        Assert.StartsWith("Invalid JSON at line 1, column 9: ", error.Message);
    }

    [Fact]
    public void a_trailing_comma_in_an_array_on_a_later_line_is_reported_on_that_line()
    {
        var error = ParseBodyError("{\n  \"a\": \"ř\",\n  \"b\": [1, 2,]\n}");

        Assert.Equal((27, 3, 14), (error.Offset, error.Line, error.Column));
        Assert.StartsWith("Invalid JSON at line 3, column 14: ", error.Message);
    }

    [Fact]
    public void a_placeholder_used_as_an_unquoted_key_is_rejected_at_the_placeholder()
    {
        var error = ParseBodyError("""{#a#: 1}""");

        Assert.Equal((1, 1, 2), (error.Offset, error.Line, error.Column));
        Assert.Contains("#a#", error.Message);
    }

    [Theory]
    [InlineData("""{"a": 1#b#}""", 7)]
    [InlineData("""{"a": -#b#}""", 7)]
    [InlineData("""{"a": 1.#b#}""", 8)]
    [InlineData("""{"a": "x"#b#}""", 9)]
    [InlineData("""{"a": true#b#}""", 10)]
    [InlineData("""[#a##b#]""", 4)]
    [InlineData("""[#a# #b#]""", 5)]
    public void a_placeholder_glued_to_another_value_is_rejected(string text, int offset)
    {
        var error = ParseBodyError(text);

        Assert.Equal((offset, 1, offset + 1), (error.Offset, error.Line, error.Column));
    }

    [Theory]
    [InlineData("""{"a": #b#.5}""")]
    [InlineData("""{"a": #b#1}""")]
    [InlineData("""{"a": #b#e5}""")]
    [InlineData("""{"a": #b# "x"}""")]
    public void something_glued_after_a_placeholder_is_rejected(string text)
    {
        var error = ParseBodyError(text);

        Assert.Equal(1, error.Line);
        Assert.InRange(error.Offset, 9, text.Length - 1);
    }

    [Fact]
    public void a_placeholder_glued_to_a_number_on_a_later_line_after_non_ascii_text_is_reported_exactly()
    {
        var error = ParseBodyError("{\n  \"jméno\": \"Čeněk\",\n  \"credit\": 1#customer.credit#\n}");

        Assert.Equal((35, 3, 14), (error.Offset, error.Line, error.Column));
        Assert.StartsWith("Invalid JSON at line 3, column 14: ", error.Message);
        Assert.Contains("#customer.credit#", error.Message);
    }

    [Fact]
    public void a_missing_closing_brace_is_reported_at_the_end()
    {
        var error = ParseBodyError("""{"a": 1""");

        Assert.Equal((7, 1, 8), (error.Offset, error.Line, error.Column));
        Assert.Contains("closed", error.Message);
    }

    [Fact]
    public void a_missing_closing_brace_after_a_placeholder_is_reported_at_the_end()
    {
        var error = ParseBodyError("{\n  \"a\": #a#\n");

        Assert.Equal((13, 3, 1), (error.Offset, error.Line, error.Column));
    }

    [Fact]
    public void garbage_after_the_document_is_rejected_where_it_starts()
    {
        var error = ParseBodyError("""{"a": 1} x""");

        Assert.Equal((9, 1, 10), (error.Offset, error.Line, error.Column));
    }

    [Fact]
    public void an_unterminated_string_is_rejected_at_the_end()
    {
        var error = ParseBodyError("""{"a": "abc""");

        Assert.Equal((10, 1, 11), (error.Offset, error.Line, error.Column));
    }

    [Fact]
    public void a_column_after_non_ascii_letters_counts_characters_not_utf8_bytes()
    {
        var error = ParseBodyError("""{"název": "Žluťoučký kůň", "n": ?}""");

        Assert.Equal((32, 1, 33), (error.Offset, error.Line, error.Column));
        Assert.StartsWith("Invalid JSON at line 1, column 33: ", error.Message);
    }

    [Fact]
    public void a_column_after_an_emoji_counts_its_two_utf16_chars()
    {
        var error = ParseBodyError("""{"e": "😀", "x": ?}""");

        Assert.Equal((17, 1, 18), (error.Offset, error.Line, error.Column));
    }

    [Theory]
    [InlineData("""{"a": 1 /* comment */}""")]
    [InlineData("// comment\n{}")]
    [InlineData("{'a': 1}")]
    [InlineData("{\"a\": \"line\nbreak\"}")]
    [InlineData("""{"a": "\x"}""")]
    [InlineData("""{"a": 01}""")]
    [InlineData("""{"a": #}""")]
    [InlineData("""{"a": #1a#}""")]
    [InlineData("""{"a" 1}""")]
    [InlineData("""{"a": 1}{"b": 2}""")]
    public void non_strict_json_is_rejected(string text)
    {
        var error = ParseBodyError(text);

        Assert.StartsWith($"Invalid JSON at line {error.Line}, column {error.Column}: ", error.Message);
    }

    [Theory]
    [InlineData("""{"a": 1,}""")]
    [InlineData("""{#a#: 1}""")]
    [InlineData("""{"a": 1""")]
    [InlineData("""{"a": 1} x""")]
    [InlineData("""{"a": "abc""")]
    public void error_messages_do_not_leak_implementation_details(string text)
    {
        var error = ParseBodyError(text);

        Assert.DoesNotContain("Exception", error.Message);
        Assert.DoesNotContain("LineNumber", error.Message);
        Assert.DoesNotContain("BytePosition", error.Message);
        Assert.DoesNotContain("reader options", error.Message);
        Assert.DoesNotContain("'['", error.Message);
    }

    [Theory]
    [InlineData("""{"a": #a#}""")]
    [InlineData("""{ "a" : [ #a# , #b# ] , "c" : { "d" : #c# } }""")]
    [InlineData("""{"s": "#a# and # and ## and #1# and #fff"}""")]
    [InlineData("#a#")]
    [InlineData("\"#a#\"")]
    [InlineData("[]")]
    [InlineData("\n{\r\n}\n")]
    public void valid_templates_parse(string text)
    {
        Assert.True(BodyTemplate.TryParse(text, out var template, out var error));
        Assert.NotNull(template);
        Assert.Null(error);
    }
}
