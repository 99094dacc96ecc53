using System;
using System.Text;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>Writes indented text with '\n' newlines whatever the platform, so output is byte-stable.</summary>
public sealed class IndentedWriter
{
    readonly StringBuilder builder = new StringBuilder();
    readonly string indentUnit;
    int depth;

    public IndentedWriter(string indentUnit = "    ") => this.indentUnit = indentUnit;

    public IndentedWriter Line(string text = "")
    {
        if (text.Length > 0)
            for (int i = 0; i < depth; i++) builder.Append(indentUnit);
        builder.Append(text).Append('\n');
        return this;
    }

    /// <summary>Writes a multi-line block (typically a raw string) at the current depth: '\r\n' becomes '\n',
    /// the indentation common to its non-blank lines is removed and the rest kept, blank lines stay empty, and a
    /// single trailing newline is dropped, so an emitter can show the code it produces as it will look.</summary>
    public IndentedWriter Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        int count = lines.Length;
        if (count > 1 && lines[count - 1].Trim().Length == 0) count--;
        int common = int.MaxValue;
        for (int i = 0; i < count; i++)
        {
            string line = lines[i];
            int lead = 0;
            while (lead < line.Length && (line[lead] == ' ' || line[lead] == '\t')) lead++;
            if (lead < line.Length && lead < common) common = lead;
        }
        for (int i = 0; i < count; i++)
        {
            string line = lines[i];
            Line(line.Trim().Length == 0 ? "" : line.Substring(common));
        }
        return this;
    }

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until disposed.</summary>
    public IDisposable Block(string header, string close = "}")
    {
        Line(header);
        Line("{");
        depth++;
        return new Closer(this, close);
    }

    public IDisposable Indent()
    {
        depth++;
        return new Closer(this, null);
    }

    public override string ToString() => builder.ToString();

    sealed class Closer : IDisposable
    {
        readonly IndentedWriter writer;
        readonly string? close;
        bool disposed;

        public Closer(IndentedWriter writer, string? close)
        {
            this.writer = writer;
            this.close = close;
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            writer.depth--;
            if (close is not null) writer.Line(close);
        }
    }
}
