using Ahwa.Hardware;

namespace Ahwa.Generator;

/// <summary>Turns a broken <see cref="HardwareRules"/> rule into its diagnostic: each rule family keeps its id.</summary>
static class RuleDiagnostics
{
    public static DiagnosticInfo Create(RuleViolation violation, LocationInfo? location, string member) => violation.Kind switch
    {
        RuleKind.Dimension => DiagnosticInfo.Create(Diagnostics.NonPositiveDimension, location, member, violation.Name, violation.Value, violation.Requirement),
        RuleKind.ConverterBits => DiagnosticInfo.Create(Diagnostics.ConverterBits, location, member, violation.Name, violation.Value, violation.Requirement),
        RuleKind.LoraRank => DiagnosticInfo.Create(Diagnostics.RankOutOfRange, location, member, violation.Value, violation.Requirement),
        RuleKind.LoraAlpha => DiagnosticInfo.Create(Diagnostics.AlphaNotPositive, location, member, violation.Value, violation.Requirement),
        RuleKind.LoraDropout => DiagnosticInfo.Create(Diagnostics.DropoutOutOfRange, location, member, violation.Value, violation.Requirement),
        _ => DiagnosticInfo.Create(Diagnostics.InvalidHardwareValue, location, member, violation.Name, violation.Value, violation.Requirement),
    };
}
