//! One module per subcommand.

pub mod check;
pub mod coverage;
pub mod data;
pub mod evaluate;
pub mod report;
pub mod serve;
pub mod test;

/// The first `n` characters of a text, with … when it is longer: for one-line listings.
pub fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}
