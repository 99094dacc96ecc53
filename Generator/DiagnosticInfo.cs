using Ahwa.Codegen;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Ahwa.Generator;

/// <summary>A location as plain values, so pipeline models hold no syntax tree.</summary>
public sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null) return null;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo? From(SyntaxReference? reference) =>
        reference is null ? null : From(reference.GetSyntax().GetLocation());
}

/// <summary>A diagnostic as plain values; rebuilt into a <see cref="Diagnostic"/> when reported.</summary>
public sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments)
    {
        var text = new string[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
            text[i] = System.Convert.ToString(arguments[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new DiagnosticInfo(descriptor, location, new EquatableArray<string>(text));
    }

    public Diagnostic ToDiagnostic()
    {
        var arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++) arguments[i] = Arguments[i];
        return Diagnostic.Create(Descriptor, Location?.ToLocation(), arguments);
    }
}

/// <summary>A pipeline value with the diagnostics found while producing it. <see cref="Value"/> is null
/// when an error means nothing should be generated.</summary>
public sealed record ParseResult<T>(T? Value, EquatableArray<DiagnosticInfo> Diagnostics) where T : class;
