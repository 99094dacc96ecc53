using System.Collections.Generic;

namespace Ahwa.Hardware;

/// <summary>The PyTorch target of one model, as the generator emits it (the model's static <c>PyTorch</c>).</summary>
/// <param name="ModuleName">The Python module's name, e.g. <c>mini_lm</c> (file <c>mini_lm.py</c>).</param>
/// <param name="ClassName">The model's class in that module.</param>
/// <param name="Source">The module's text; null when a construct could not be translated.</param>
/// <param name="Problems">Why not, one line per construct (the build reported each as a warning).</param>
public sealed record PyTorchTranslation(string ModuleName, string ClassName, string? Source, IReadOnlyList<string> Problems)
{
    public bool IsAvailable => Source is not null;
}
