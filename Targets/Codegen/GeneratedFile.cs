using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>One generated source: its hint name (unique, deterministic) and text.</summary>
public sealed record GeneratedFile(string HintName, string Text);
