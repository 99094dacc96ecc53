using System;
using System.Collections.Generic;
using System.Linq;

namespace Ahwa.Lab.Evaluation;

/// <summary>The mean and standard deviation every table of repeated measurements reports (and GRPO's group
/// normalisation uses): the sample standard deviation, with Bessel's correction, as torch.std.</summary>
public static class SampleStatistics
{
    /// <summary>Mean and standard deviation; the deviation of a single value is 0.</summary>
    public static (double Mean, double Std) MeanAndStd(IReadOnlyCollection<double> values)
    {
        if (values is null || values.Count == 0) throw new ArgumentException("No values.", nameof(values));
        double mean = values.Average();
        double std = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return (mean, std);
    }
}
