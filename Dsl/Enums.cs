namespace Ahwa.Dsl;

/// <summary>What the analog tile does when an output clips at the ADC bound.</summary>
public enum BoundManagement
{
    /// <summary>Outputs saturate at the bound.</summary>
    None = 0,
    /// <summary>aihwkit "iterative": halve the input scale and redo the MVM until nothing clips or the limit is reached.</summary>
    Iterative = 1,
}

/// <summary>How each token's input vector is scaled into the DAC range.</summary>
public enum NoiseManagement
{
    /// <summary>Inputs go to the DAC unscaled (clipped at +-1).</summary>
    None = 0,
    /// <summary>Each input vector is divided by its own abs-max.</summary>
    AbsMax = 1,
}

/// <summary>Device model used when weights are programmed onto the chip for evaluation.</summary>
public enum DeviceModel
{
    /// <summary>aihwkit's PCM-like model: programming noise, drift, 1/f read noise.</summary>
    PcmLike = 0,
    /// <summary>State-independent Gaussian programming noise, no drift.</summary>
    Gaussian = 1,
}

/// <summary>Storage type of operands on the digital RISC-V cluster.</summary>
public enum ClusterDataType
{
    /// <summary>IEEE binary16 storage, FP32 arithmetic.</summary>
    Fp16 = 0,
    /// <summary>IEEE binary32 storage and arithmetic.</summary>
    Fp32 = 1,
}
