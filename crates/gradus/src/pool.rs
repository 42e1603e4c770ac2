//! A fork-join pool whose workers spin between jobs, for the one fork and one join per
//! training step of a data-parallel step (`nn::DataParallel`).
//!
//! Why not rayon: rayon's idle workers go to sleep within microseconds, and on the virtual
//! machines we measure on, waking a sleeping vCPU takes far longer than the work: a rayon
//! scope running 100 µs on each of two threads took 144 µs back to back and 385 µs when the
//! caller had worked 100 µs on its own in between (deqn-step's shards are ~150 µs each). The
//! workers here busy-wait for [`SPIN`] after each job, so in a training loop the next step
//! finds them awake; after that they park and cost nothing.
//!
//! One caller at a time: a second thread that asks for the pool while it is busy (or a
//! worker that asks from inside a job) runs its shards itself, one after the other.

use std::any::Any;
use std::cell::UnsafeCell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// How long an idle worker busy-waits for the next job before it parks.
const SPIN: Duration = Duration::from_millis(2);

/// A job: shard index → work. The lifetime is erased while it is published; `run` does
/// not return before every worker is done with it.
type Job = *const (dyn Fn(usize) + Sync);

struct Shared {
    /// Bumped once per job; workers wait for it to change.
    epoch: AtomicU64,
    job: UnsafeCell<Option<Job>>,
    shards: AtomicUsize,
    /// Workers that have not finished the current job.
    remaining: AtomicUsize,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

// SAFETY: `job` is written only by the caller holding `Pool::dispatch`, before `epoch` is
// bumped (release) and after every worker has finished (`remaining` = 0, acquire); workers
// read it only between those two points.
unsafe impl Sync for Shared {}
// SAFETY: as above; the pointed-to closure is `Sync`.
unsafe impl Send for Shared {}

struct Worker {
    thread: Thread,
    parked: Arc<AtomicBool>,
}

/// The process-wide pool: one worker per core beyond the first.
pub struct Pool {
    shared: Arc<Shared>,
    workers: Vec<Worker>,
    dispatch: Mutex<()>,
}

impl Pool {
    /// The pool, started on first use.
    pub fn global() -> &'static Pool {
        static POOL: OnceLock<Pool> = OnceLock::new();
        POOL.get_or_init(|| {
            let cores = crate::tensor::gemm::available_cores();
            Pool::start(cores.saturating_sub(1))
        })
    }

    fn start(workers: usize) -> Pool {
        let shared = Arc::new(Shared {
            epoch: AtomicU64::new(0),
            job: UnsafeCell::new(None),
            shards: AtomicUsize::new(0),
            remaining: AtomicUsize::new(0),
            panic: Mutex::new(None),
        });
        let workers = (0..workers)
            .map(|w| {
                let parked = Arc::new(AtomicBool::new(false));
                let (s, p) = (Arc::clone(&shared), Arc::clone(&parked));
                let handle = thread::Builder::new()
                    .name(format!("gradus-pool-{}", w + 1))
                    .spawn(move || worker_loop(&s, w + 1, workers + 1, &p))
                    .expect("could not start a pool thread");
                Worker {
                    thread: handle.thread().clone(),
                    parked,
                }
            })
            .collect();
        Pool {
            shared,
            workers,
            dispatch: Mutex::new(()),
        }
    }

    /// Threads a job runs on: the caller and the workers.
    pub fn threads(&self) -> usize {
        self.workers.len() + 1
    }

    /// Runs `f(0)`, …, `f(shards − 1)`, shard `i` on thread `i mod threads` (the caller is
    /// thread 0), and returns when all are done. A panic in any shard is re-raised here.
    pub fn run(&self, shards: usize, f: &(dyn Fn(usize) + Sync)) {
        let threads = self.threads();
        let guard = match self.dispatch.try_lock() {
            Ok(g) if shards > 1 && threads > 1 => g,
            _ => {
                (0..shards).for_each(f);
                return;
            }
        };
        let busy = (shards - 1).min(threads - 1);
        let sh = &*self.shared;
        // SAFETY: see `Shared`: no worker reads `job` until the epoch changes below. The
        // lifetime is erased; this function waits for every worker before returning.
        unsafe {
            *sh.job.get() = Some(std::mem::transmute::<&(dyn Fn(usize) + Sync), Job>(f));
        }
        sh.shards.store(shards, Ordering::Relaxed);
        sh.remaining.store(busy, Ordering::Relaxed);
        sh.epoch.fetch_add(1, Ordering::SeqCst);
        for w in &self.workers[..busy] {
            if w.parked.load(Ordering::SeqCst) {
                w.thread.unpark();
            }
        }
        let mine = catch_unwind(AssertUnwindSafe(|| {
            (0..shards).step_by(threads).for_each(f);
        }));
        let mut spins = 0u32;
        while sh.remaining.load(Ordering::Acquire) != 0 {
            spins = spins.wrapping_add(1);
            if spins % 4096 == 0 {
                thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
        // SAFETY: every worker is done with the job.
        unsafe {
            *sh.job.get() = None;
        }
        let theirs = sh.panic.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(guard);
        if let Err(p) = mine {
            resume_unwind(p);
        }
        if let Some(p) = theirs {
            resume_unwind(p);
        }
    }
}

fn worker_loop(sh: &Shared, me: usize, threads: usize, parked: &AtomicBool) {
    let mut seen = 0u64;
    loop {
        let mut idle_since = Instant::now();
        let mut spins = 0u32;
        loop {
            let e = sh.epoch.load(Ordering::Acquire);
            if e != seen {
                seen = e;
                break;
            }
            spins = spins.wrapping_add(1);
            if spins % 1024 != 0 {
                std::hint::spin_loop();
            } else if idle_since.elapsed() >= SPIN {
                parked.store(true, Ordering::SeqCst);
                // The caller bumps the epoch before it looks at `parked`: either we see
                // the new epoch here, or it sees us parked and unparks us.
                if sh.epoch.load(Ordering::SeqCst) == seen {
                    thread::park();
                }
                parked.store(false, Ordering::SeqCst);
                idle_since = Instant::now();
            }
        }
        let shards = sh.shards.load(Ordering::Relaxed);
        if me >= shards.min(threads) {
            continue; // nothing for this worker in this job
        }
        // SAFETY: published before the epoch bump; stays valid until `remaining` hits 0.
        let job = unsafe { (*sh.job.get()).expect("a job is published with its epoch") };
        // SAFETY: the caller keeps the closure alive until this worker reports done.
        let f = unsafe { &*job };
        let r = catch_unwind(AssertUnwindSafe(|| {
            (me..shards).step_by(threads).for_each(f);
        }));
        if let Err(p) = r {
            *sh.panic.lock().unwrap_or_else(|e| e.into_inner()) = Some(p);
        }
        sh.remaining.fetch_sub(1, Ordering::Release);
    }
}

/// Runs `f` on both parts at once: the first on the calling thread, the second on a pool
/// worker (both on the calling thread, one after the other, when the pool is busy or has no
/// worker). For the halves of a large element-wise pass or two independent gradients.
pub(crate) fn run_both<T: Send>(parts: [T; 2], f: &(dyn Fn(T) + Sync)) {
    let parts = parts.map(|p| Mutex::new(Some(p)));
    Pool::global().run(2, &|i| {
        let part = parts[i].lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(p) = part {
            f(p);
        }
    });
}

/// A mutable buffer that the shards of one [`Pool::run`] share, each touching only its own
/// slot or range of it (data-parallel tapes and losses, blocks of an optimiser update).
pub(crate) struct Disjoint<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: the shards reach disjoint elements (each method's contract), and T may move
// between threads.
unsafe impl<T: Send> Sync for Disjoint<T> {}

impl<T> Disjoint<T> {
    pub(crate) fn new(buffer: &mut [T]) -> Self {
        Disjoint {
            ptr: buffer.as_mut_ptr(),
            len: buffer.len(),
        }
    }

    /// Slot `i`.
    ///
    /// # Safety
    /// The buffer outlives the use, and no other shard uses slot `i`.
    pub(crate) unsafe fn at(&self, i: usize) -> *mut T {
        assert!(i < self.len, "Disjoint::at: slot {i} of {}", self.len);
        unsafe { self.ptr.add(i) }
    }

    /// Elements `range` of the buffer; empty for an empty buffer (a state buffer that an
    /// optimiser rule does not use), whatever the range.
    ///
    /// # Safety
    /// The buffer outlives the use, and no other shard uses these elements.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn range(&self, range: std::ops::Range<usize>) -> &mut [T] {
        if self.len == 0 {
            return &mut [];
        }
        assert!(
            range.end <= self.len,
            "Disjoint::range: {range:?} of {}",
            self.len
        );
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(range.start), range.len()) }
    }
}
