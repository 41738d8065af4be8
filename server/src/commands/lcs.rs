//! LCS: the longest common subsequence of two strings, with Redis 7.0's options
//! (LEN, IDX, MINMATCHLEN, WITHMATCHLEN) and its exact choice among equally long
//! answers, which depends on the order the dynamic-programming table is walked back.

use std::sync::atomic::Ordering::Relaxed;

use super::{CmdError, CmdResult, Ctx};

/// A run of consecutive matching bytes: inclusive ranges in both strings.
struct Run {
    a: (usize, usize),
    b: (usize, usize),
}

impl Run {
    fn len(&self) -> usize {
        self.a.1 - self.a.0 + 1
    }
}

/// The table of LCS lengths: `at(i, j)` is the LCS length of `a[..i]` and `b[..j]`.
struct Table {
    cells: Vec<u32>,
    width: usize,
}

impl Table {
    fn build(a: &[u8], b: &[u8]) -> Result<Table, CmdError> {
        let width = b.len() + 1;
        let size = (a.len() + 1) * width;
        let mut cells = Vec::new();
        cells
            .try_reserve_exact(size)
            .map_err(|_| CmdError::err("Insufficient memory, failed allocating transient memory for LCS"))?;
        cells.resize(size, 0u32);
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                cells[i * width + j] = if a[i - 1] == b[j - 1] {
                    cells[(i - 1) * width + j - 1] + 1
                } else {
                    cells[(i - 1) * width + j].max(cells[i * width + j - 1])
                };
            }
        }
        Ok(Table { cells, width })
    }

    fn at(&self, i: usize, j: usize) -> u32 {
        self.cells[i * self.width + j]
    }

    /// Walks back from the end: the common subsequence (forwards) and its runs of
    /// consecutive matches, last run first (the order Redis reports them in).
    fn walk_back(&self, a: &[u8], b: &[u8]) -> (Vec<u8>, Vec<Run>) {
        let (mut i, mut j) = (a.len(), b.len());
        let mut common = Vec::with_capacity(self.at(i, j) as usize);
        let mut runs = Vec::new();
        let mut open: Option<Run> = None;
        while i > 0 && j > 0 {
            let close;
            if a[i - 1] == b[j - 1] {
                common.push(a[i - 1]);
                // Walking back diagonally, a match extends the open run backwards;
                // every step off the diagonal closes the run first.
                let run = open.get_or_insert(Run { a: (i - 1, i - 1), b: (j - 1, j - 1) });
                run.a.0 = i - 1;
                run.b.0 = j - 1;
                close = i == 1 || j == 1;
                i -= 1;
                j -= 1;
            } else {
                if self.at(i - 1, j) > self.at(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                close = open.is_some();
            }
            if close {
                runs.extend(open.take());
            }
        }
        common.reverse();
        (common, runs)
    }
}

pub fn lcs(ctx: &mut Ctx) -> CmdResult {
    let mut read = |key: &[u8]| ctx.keys.read(key).map(|e| e.value.as_str().map(<[u8]>::to_vec)).transpose();
    let (a, b) = match (read(ctx.args.get(1)), read(ctx.args.get(2))) {
        (Ok(a), Ok(b)) => (a.unwrap_or_default(), b.unwrap_or_default()),
        _ => return Err(CmdError::err("The specified keys must contain string values")),
    };
    let (mut want_idx, mut want_len, mut with_len, mut min_len) = (false, false, false, 0usize);
    let mut i = 3;
    while i < ctx.args.len() {
        if ctx.args.is(i, "idx") {
            want_idx = true;
        } else if ctx.args.is(i, "len") {
            want_len = true;
        } else if ctx.args.is(i, "withmatchlen") {
            with_len = true;
        } else if ctx.args.is(i, "minmatchlen") && i + 1 < ctx.args.len() {
            min_len = ctx.args.int(i + 1)?.max(0) as usize;
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if want_idx && want_len {
        return Err(CmdError::err("If you want both the length and indexes, please just use IDX."));
    }
    if a.len() >= u32::MAX as usize - 1 || b.len() >= u32::MAX as usize - 1 {
        return Err(CmdError::err("String too long for LCS"));
    }
    let table_bytes = (a.len() as u128 + 1) * (b.len() as u128 + 1) * 4;
    if table_bytes > ctx.server.max_bulk_len.load(Relaxed).max(0) as u128 {
        return Err(CmdError::err(
            "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }
    let table = Table::build(&a, &b)?;
    let total = table.at(a.len(), b.len()) as i64;
    if want_len {
        ctx.out.int(total);
        return Ok(());
    }
    let (common, runs) = table.walk_back(&a, &b);
    if !want_idx {
        ctx.out.bulk(&common);
        return Ok(());
    }
    let runs: Vec<Run> = runs.into_iter().filter(|r| r.len() >= min_len).collect();
    ctx.out.map(2);
    ctx.out.bulk(b"matches");
    ctx.out.array(runs.len());
    for run in &runs {
        ctx.out.array(2 + with_len as usize);
        for (start, end) in [run.a, run.b] {
            ctx.out.array(2);
            ctx.out.int(start as i64);
            ctx.out.int(end as i64);
        }
        if with_len {
            ctx.out.int(run.len() as i64);
        }
    }
    ctx.out.bulk(b"len");
    ctx.out.int(total);
    Ok(())
}
