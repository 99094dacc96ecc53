// An MSBuild task (RoslynCodeTaskFactory) that fails the build when a C# file's using directives are not sorted
// the way .editorconfig asks: System and System.* first, then the rest, each alphabetically; then `using static`,
// then aliases. Roslyn's own formatter (IDE0055) does not report unsorted usings, hence this check.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Ahwa.Build
{
    public sealed class CheckUsingOrder : Task
    {
        static readonly Regex Directive = new Regex(@"^using\s+(static\s+)?([A-Za-z_][\w.]*\s*=\s*)?([A-Za-z_@][\w.<>, ]*);\s*$");

        [Required]
        public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        public override bool Execute()
        {
            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                if (!File.Exists(path)) continue;
                var keys = new List<(string Key, string Text, int Line)>();
                int number = 0;
                foreach (var raw in File.ReadLines(path))
                {
                    number++;
                    string line = raw.Trim();
                    if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal) || line.StartsWith("#", StringComparison.Ordinal)) continue;
                    var match = Directive.Match(line);
                    if (!match.Success) break; // the first declaration ends the using block
                    keys.Add((Key(match), line, number));
                }
                for (int i = 1; i < keys.Count; i++)
                {
                    if (string.CompareOrdinal(keys[i - 1].Key, keys[i].Key) <= 0) continue;
                    Log.LogError(null, "AHWABUILD001", null, path, keys[i].Line, 1, 0, 0,
                        "Usings are not sorted: '{0}' should come before '{1}' (System first, then alphabetical; static, then aliases last).",
                        keys[i].Text, keys[i - 1].Text);
                    break;
                }
            }
            return !Log.HasLoggedErrors;
        }

        static string Key(Match match)
        {
            string name = match.Groups[3].Value.Trim();
            int group = match.Groups[2].Success ? 3 : match.Groups[1].Success ? 2 : 1;
            bool system = name == "System" || name.StartsWith("System.", StringComparison.Ordinal);
            string alias = match.Groups[2].Success ? match.Groups[2].Value.Trim() : "";
            return group.ToString() + (group == 1 && !system ? "1" : "0") + (alias + name).ToLowerInvariant();
        }
    }
}
