using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Ahwa.Lab.Decoding;
using Ahwa.Simulator;

namespace DecoderArithmetic;

/// <summary>One generated problem: two operands written with the same number of digits (zero-padded, so every prompt
/// has one length) and + or -; the answer is the exact integer.</summary>
public sealed record ArithmeticProblem(int Left, char Operator, int Right, int Digits)
{
    public string Prompt => Pad(Left) + Operator + Pad(Right) + "=";

    public int Answer => Operator == '+' ? Left + Right : Left - Right;

    public string Response => Answer.ToString(CultureInfo.InvariantCulture);

    string Pad(int value) => value.ToString(CultureInfo.InvariantCulture).PadLeft(Digits, '0');
}

/// <summary>The task: every problem a + b and a - b with operands of <c>digits</c> digits, split once with the seed
/// into disjoint training and test problems (a problem is in one part only).</summary>
public static class Arithmetic
{
    /// <summary>Digits, the two operators and '='; a minus sign in an answer is the same character.</summary>
    public const string Alphabet = "0123456789+-=";

    public static CharacterTokenizer Tokenizer() => new(Alphabet);

    /// <summary>All problems with operands 0 to 10^digits - 1, shuffled with (seed, DataSplit, 0); the first
    /// <paramref name="testCount"/> are the test set, the next <paramref name="trainCount"/> (all the rest when null) training.</summary>
    public static (IReadOnlyList<ArithmeticProblem> Train, IReadOnlyList<ArithmeticProblem> Test) Split(int digits, int testCount, int? trainCount, ulong seed)
    {
        if (digits is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(digits), digits, "Operands have 1 to 4 digits.");
        int limit = (int)Math.Pow(10, digits);
        var all = new List<ArithmeticProblem>(2 * limit * limit);
        foreach (char op in "+-")
            for (int a = 0; a < limit; a++)
                for (int b = 0; b < limit; b++) all.Add(new ArithmeticProblem(a, op, b, digits));
        if (testCount < 1 || testCount >= all.Count)
            throw new ArgumentOutOfRangeException(nameof(testCount), testCount, $"The test set needs 1 to {all.Count - 1} of the {all.Count} problems.");
        var order = all.ToArray();
        RandomStream.For(seed, StreamPurpose.DataSplit, 0).Shuffle(order.AsSpan());
        int train = trainCount ?? order.Length - testCount;
        if (train < 1 || testCount + train > order.Length)
            throw new ArgumentOutOfRangeException(nameof(trainCount), trainCount, $"{testCount} test and {train} training problems exceed the {order.Length} there are.");
        return (order.Skip(testCount).Take(train).ToList(), order.Take(testCount).ToList());
    }

    public static IReadOnlyList<PromptResponse> Pairs(IEnumerable<ArithmeticProblem> problems) => problems.Select(p => new PromptResponse(p.Prompt, p.Response)).ToList();

    public static IReadOnlyList<RewardPrompt> Questions(IEnumerable<ArithmeticProblem> problems) => problems.Select(p => new RewardPrompt(p.Prompt, p.Answer)).ToList();
}
