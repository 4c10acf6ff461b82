namespace Ellity.Bench;

/// <summary>CPU time and memory of a Linux process, read from <c>/proc</c>.</summary>
public static class ProcessStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux build .NET supports

    /// <summary>utime + stime of the process itself, in seconds.</summary>
    public static double CpuSeconds(int pid) => CpuSeconds(pid, withReapedChildren: false);

    /// <summary>
    /// CPU seconds of a process and all its children, those alive and those already reaped: how
    /// PostgreSQL's postmaster and its short- and long-lived backends are counted together.
    /// </summary>
    public static double TreeCpuSeconds(int pid)
    {
        var total = CpuSeconds(pid, withReapedChildren: true);
        foreach (var child in ChildrenOf(pid)) total += CpuSeconds(child, withReapedChildren: false);
        return total;
    }

    /// <summary>The parent process id.</summary>
    public static int ParentOf(int pid) => int.Parse(StatFields(pid)![1]);

    /// <summary>Resident set size now, in bytes (VmRSS).</summary>
    public static long RssBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    /// <summary>Peak resident set size since start or since <see cref="ResetPeakRss"/>, in bytes (VmHWM).</summary>
    public static long PeakRssBytes(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    /// <summary>Restarts the VmHWM peak at the current RSS, so a scenario's peak is its own (Linux clear_refs 5).</summary>
    public static bool ResetPeakRss(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static double CpuSeconds(int pid, bool withReapedChildren)
    {
        var fields = StatFields(pid);
        if (fields is null) return 0; // exited meanwhile: its time moves to the parent's reaped-children counters
        // Fields after the command name: state is [0]; utime, stime, cutime, cstime are [11]..[14].
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        if (withReapedChildren) ticks += long.Parse(fields[13]) + long.Parse(fields[14]);
        return ticks / TicksPerSecond;
    }

    /// <summary>The fields of /proc/pid/stat after the "(command)" one, which may itself hold spaces.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
    }

    private static IEnumerable<int> ChildrenOf(int pid)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var candidate)) continue;
            var fields = StatFields(candidate);
            if (fields is not null && int.Parse(fields[1]) == pid) yield return candidate;
        }
    }

    private static long StatusKilobytes(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]);
        return 0;
    }
}

/// <summary>A snapshot of the Host's, PostgreSQL's and the benchmark's own CPU, taken at a scenario's start and end.</summary>
public sealed record CpuMark(double Host, double Postgres, double Bench, DateTime At)
{
    public static CpuMark Take(int hostPid, int postmasterPid) => new(
        ProcessStats.CpuSeconds(hostPid), ProcessStats.TreeCpuSeconds(postmasterPid),
        ProcessStats.CpuSeconds(Environment.ProcessId), DateTime.UtcNow);
}
