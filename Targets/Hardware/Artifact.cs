namespace Ahwa.Hardware;

/// <summary>A file to deploy: path relative to the artifact folder, and its text.</summary>
public sealed record Artifact(string Path, string Text);
