using System;
using System.Threading;
using Spectre.Console;

namespace MiniLmSentiment;

/// <summary>Moves a progress bar by <paramref name="amount"/>; a description, when given, replaces the bar's label.</summary>
public delegate void Advance(long amount, string? description = null);

/// <summary>One Spectre.Console progress bar around a piece of work (training steps or evaluated sentences). Every
/// advance (one training step, one evaluated batch) is also where Ctrl-C takes effect: it throws once
/// <paramref name="cancellation"/> is cancelled, so a run stops within a step or a batch.</summary>
public static class Progress
{
    /// <summary>Bars shown now. Spectre.Console shows one live display per process; work started while one is shown
    /// (two runs in one process, as tests in parallel do) runs without a bar of its own and still honours cancellation.</summary>
    static int shown;

    public static void Run(string label, long total, Action<Advance> work, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        if (Interlocked.Increment(ref shown) > 1)
        {
            try
            {
                work((_, _) => cancellation.ThrowIfCancellationRequested());
            }
            finally
            {
                Interlocked.Decrement(ref shown);
            }
            return;
        }
        try
        {
            Show(label, total, work, cancellation);
        }
        finally
        {
            Interlocked.Decrement(ref shown);
        }
    }

    static void Show(string label, long total, Action<Advance> work, CancellationToken cancellation)
    {
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(label), maxValue: Math.Max(1, total));
                work((amount, description) =>
                {
                    cancellation.ThrowIfCancellationRequested();
                    task.Increment(amount);
                    if (description is not null) task.Description = Markup.Escape(description);
                });
                task.Value = task.MaxValue;
            });
    }
}
