//! The built-in functions of the language, in one table: what the checker accepts (name, arity), what
//! it suggests and prints when a call is wrong (usage), and what docs/language.md must list. The
//! checker types each call and gives the IR's [`crate::ir::Builtin`], which the engine evaluates.

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// Exactly this many.
    Exactly(usize),
    /// This many or more.
    AtLeast(usize),
}

impl Arity {
    /// Whether `n` arguments fit.
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Arity::Exactly(k) => n == k,
            Arity::AtLeast(k) => n >= k,
        }
    }
}

/// One built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinSpec {
    /// Its name in a pack.
    pub name: &'static str,
    /// How many arguments it takes.
    pub arity: Arity,
    /// How a call is written: shown when a call is wrong.
    pub usage: &'static str,
    /// What it gives, in a line.
    pub summary: &'static str,
}

/// Every built-in function.
pub const BUILTINS: &[BuiltinSpec] = &[
    BuiltinSpec {
        name: "round",
        arity: Arity::Exactly(3),
        usage: "round(x, 元 | 分 | 角 | 万元, half_up | half_even | down | up)",
        summary: "money rounded to a unit, once, as the policy says",
    },
    BuiltinSpec {
        name: "floor",
        arity: Arity::Exactly(1),
        usage: "floor(x)",
        summary: "the whole number at or below a ratio",
    },
    BuiltinSpec {
        name: "ceil",
        arity: Arity::Exactly(1),
        usage: "ceil(x)",
        summary: "the whole number at or above a ratio",
    },
    BuiltinSpec {
        name: "min",
        arity: Arity::AtLeast(2),
        usage: "min(a, b, ...)",
        summary: "the smallest of its arguments",
    },
    BuiltinSpec {
        name: "max",
        arity: Arity::AtLeast(2),
        usage: "max(a, b, ...)",
        summary: "the largest of its arguments",
    },
    BuiltinSpec {
        name: "clamp",
        arity: Arity::Exactly(3),
        usage: "clamp(x, lo, hi)",
        summary: "x held between lo and hi",
    },
    BuiltinSpec {
        name: "abs",
        arity: Arity::Exactly(1),
        usage: "abs(x)",
        summary: "the absolute value",
    },
    BuiltinSpec {
        name: "growth",
        arity: Arity::Exactly(1),
        usage: "growth(e.tax_paid)",
        summary: "this year's value over last year's, minus one, as a percent (exact)",
    },
    BuiltinSpec {
        name: "first_time",
        arity: Arity::Exactly(1),
        usage: "first_time(condition)",
        summary: "the condition holds this year and held in no earlier year of the facts",
    },
    BuiltinSpec {
        name: "streak",
        arity: Arity::Exactly(1),
        usage: "streak(condition)",
        summary: "the number of consecutive years, ending this year, in which the condition holds",
    },
    BuiltinSpec {
        name: "first_year",
        arity: Arity::Exactly(1),
        usage: "first_year(condition)",
        summary: "the first year in which the condition held",
    },
    BuiltinSpec {
        name: "year_of",
        arity: Arity::Exactly(1),
        usage: "year_of(date)",
        summary: "the year of a date",
    },
    BuiltinSpec {
        name: "exists",
        arity: Arity::Exactly(1),
        usage: "exists(x)",
        summary: "whether the facts give a value for x",
    },
];

/// The built-in function of a name.
pub fn builtin(name: &str) -> Option<&'static BuiltinSpec> {
    BUILTINS.iter().find(|b| b.name == name)
}
