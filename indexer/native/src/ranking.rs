//! The shared ranking (dictionary.search.ranking.rank) and what follows it in a search: the
//! readings' candidates placed in the DECODED tier, the order, and what matches as typed first.

use std::collections::{HashMap, HashSet};

pub const EXACT: u8 = 0;
pub const TONE: u8 = 1;
pub const FOLD: u8 = 2;
pub const DECODED: u8 = 3;
pub const PREFIX: u8 = 4;
pub const WORDS: u8 = 5;
pub const FUZZY: u8 = 6;
pub const GLOSS: u8 = 2; // Field.GLOSS

/// One key found by a stage (dictionary.search.ranking.Candidate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cand {
    pub entry: i64,
    pub tier: u8,
    pub distance: u8,
    pub loose: u8,
    pub position: i64,
    pub length: i64,
    pub field: u8,
}

/// What the ranking knows of entries beyond their keys: the rows naming an authority, and the
/// meanings of the rows giving more than BREADTH[0].
#[derive(Default)]
pub struct Facts {
    pub authoritative: HashSet<i64>,
    pub broad: HashMap<i64, i64>,
}

pub const BREADTH: [i64; 3] = [5, 20, 50];

pub type SortKey = (u8, u8, u8, bool, u8, i64, i64, i64);

fn breadth(meanings: i64) -> u8 {
    BREADTH.iter().filter(|&&limit| meanings > limit).count() as u8
}

pub fn sort_key(c: &Cand, facts: &Facts) -> SortKey {
    let step = if c.field == GLOSS { breadth(*facts.broad.get(&c.entry).unwrap_or(&0)) } else { 0 };
    (c.tier, c.distance, c.loose, !facts.authoritative.contains(&c.entry), step,
     c.position.min(1), c.length, c.entry)
}

/// The ordered, de-duplicated entries, each placed by its best key (the first of equal keys).
pub fn rank(cands: &[Cand], facts: &Facts) -> Vec<(SortKey, Cand)> {
    let mut best: HashMap<i64, (SortKey, Cand)> = HashMap::with_capacity(cands.len());
    for c in cands {
        let key = sort_key(c, facts);
        match best.get_mut(&c.entry) {
            Some(held) => {
                if key < held.0 {
                    *held = (key, *c);
                }
            }
            None => {
                best.insert(c.entry, (key, *c));
            }
        }
    }
    let mut ordered: Vec<(SortKey, Cand)> = best.into_values().collect();
    ordered.sort_unstable_by_key(|item| item.0); // keys end with the entry: no two are equal
    ordered
}

/// SearchService.is_exact: the candidate matches the query as typed.
pub fn is_exact(c: &Cand, marked: bool) -> bool {
    if c.tier == EXACT {
        return true;
    }
    if c.tier <= FOLD {
        return c.length > 0 && (c.tier == TONE || !marked);
    }
    c.tier == DECODED && c.distance == 0
}

/// A reading's candidate: exact or tone matches at DECODED distance 0, diacritic-blind ones at
/// 1; looser stages keep their tier, after the literal query's own (loose 3).
pub fn decoded(mut c: Cand) -> Cand {
    if c.tier <= FOLD {
        c.distance = (c.tier == FOLD) as u8;
        c.tier = DECODED;
    } else {
        c.loose = 3;
    }
    c
}

pub struct Row {
    pub cand: Cand,
    pub reading: i64, // the first reading that found the entry, or -1
    pub exact: bool,
}

pub struct Outcome {
    pub total: usize,
    pub exact: usize,
    pub page: Vec<Row>,
    pub pool: Vec<Row>,
}

/// Ranks a search's candidates (the query's, then each reading's, already in the DECODED
/// tier) and puts what matches as typed first; returns the page and, when nothing matches as
/// typed, the first ``pool`` rows.
pub fn finish(cands: &[Cand], reading_of: &HashMap<i64, i64>, marked: bool, facts: &Facts,
              offset: usize, limit: usize, pool: usize) -> Outcome {
    let ranked = rank(cands, facts);
    let total = ranked.len();
    let (mut exact, mut rest): (Vec<Cand>, Vec<Cand>) = (Vec::new(), Vec::new());
    for (_, c) in ranked {
        if is_exact(&c, marked) { exact.push(c) } else { rest.push(c) }
    }
    let held = exact.len();
    exact.extend(rest);
    let row = |i: usize, c: &Cand| Row {
        cand: *c,
        reading: *reading_of.get(&c.entry).unwrap_or(&-1),
        exact: i < held,
    };
    let page = exact.iter().enumerate().skip(offset).take(limit).map(|(i, c)| row(i, c)).collect();
    let pool = if held > 0 { Vec::new() } else {
        exact.iter().enumerate().take(pool).map(|(i, c)| row(i, c)).collect()
    };
    Outcome { total, exact: held, page, pool }
}
