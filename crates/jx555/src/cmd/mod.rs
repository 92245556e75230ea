//! One module per subcommand.

pub mod check;
pub mod coverage;
pub mod data;
pub mod evaluate;
pub mod report;
