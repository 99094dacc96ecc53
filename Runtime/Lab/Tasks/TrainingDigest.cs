using System;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ahwa.Lab.Tasks;

/// <summary>
/// SHA-256 of a task's training items as the model sees them (token ids, segments, labels or targets, in training
/// order): a kept phase is reused only when it was trained on the same items, so a changed data file, tokenizer,
/// subset or sequence length trains again even where every option matches.
/// </summary>
public sealed class TrainingDigest : IDisposable
{
    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    readonly byte[] scratch = new byte[8];

    public TrainingDigest Add(ReadOnlySpan<long> values)
    {
        Add((long)values.Length);
        foreach (var value in values) Add(value);
        return this;
    }

    public TrainingDigest Add(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(scratch, value);
        hash.AppendData(scratch);
        return this;
    }

    public TrainingDigest Add(double value) => Add(BitConverter.DoubleToInt64Bits(value));

    /// <summary>Lower-case hex of the digest so far.</summary>
    public string Hex() => Convert.ToHexStringLower(hash.GetCurrentHash());

    public void Dispose() => hash.Dispose();
}
