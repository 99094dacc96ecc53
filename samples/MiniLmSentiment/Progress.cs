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
    public static void Run(string label, long total, Action<Advance> work, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
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
