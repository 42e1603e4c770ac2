//! How much CPU *other* processes used while we timed, as `common.CpuMonitor` measures it:
//! (busy time of all CPUs − this process's CPU time) / capacity, from `/proc/stat` and
//! `/proc/self/stat`. Above ~0.05 the timings are disturbed. Linux only; elsewhere `None`.

use std::time::Instant;

/// Linux's USER_HZ: the unit of the jiffy counters in /proc (100 on every mainstream
/// architecture; `common.py` asks `sysconf`, which returns the same).
const HZ: f64 = 100.0;

/// Busy jiffies of all CPUs (user + nice + system + irq + softirq).
fn busy_jiffies() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/stat").ok()?;
    let v: Vec<f64> = s
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let g = |i: usize| v.get(i).copied().unwrap_or(0.0);
    Some(g(0) + g(1) + g(2) + g(5) + g(6))
}

/// This process's user + system CPU time in seconds.
fn own_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / HZ)
}

/// Peak resident memory of this process in MiB (`VmHWM`).
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// A running measurement.
pub struct CpuLoad {
    busy: Option<f64>,
    own: Option<f64>,
    t0: Instant,
}

impl CpuLoad {
    pub fn start() -> Self {
        CpuLoad {
            busy: busy_jiffies(),
            own: own_cpu_s(),
            t0: Instant::now(),
        }
    }

    /// Other processes' share of the capacity since `start`, rounded to 4 digits.
    pub fn background_fraction(&self) -> Option<f64> {
        let wall = self.t0.elapsed().as_secs_f64();
        let busy = (busy_jiffies()? - self.busy?) / HZ;
        let own = own_cpu_s()? - self.own?;
        let cpus = std::thread::available_parallelism().ok()?.get() as f64;
        // Two jiffies of rounding allowance, as common.py.
        let frac = ((busy - own - 2.0 / HZ).max(0.0)) / (wall * cpus);
        Some((frac * 1e4).round() / 1e4)
    }
}
