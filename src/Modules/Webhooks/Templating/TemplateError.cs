namespace Ellity.Webhooks.Templating;

/// <summary>Why a body template was rejected; Offset is a 0-based char index, Line and Column are 1-based.</summary>
public sealed record TemplateError(int Offset, int Line, int Column, string Message);
