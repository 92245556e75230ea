//! Exact rationals, for what fixed point cannot hold.
//!
//! Most numbers of a run are fixed-point decimals ([`crate::col`]): facts come with at most a few
//! decimals and their sums and products stay exact there. A quotient does not: （六）'s
//! 地方贡献 × (g − 10%) / (1 + g) with g = 30% has the factor 2/13, whose decimals never end, and cutting
//! it at any number of decimals before the multiplication moves the fen (7亿 gives 107,692,307.66 instead
//! of 107,692,307.69). So an operation whose fixed-point result would not be exact — a quotient that
//! does not end within [`SCALE`](crate::col::SCALE) decimals, a product with more decimals than that, a
//! value beyond `i128` — yields a column of exact rationals instead, and every later operation on it
//! stays exact. Such a value is rounded once: where the rule says (`round(…, 分, half_up)`), or to the
//! fen with the pack's rounding when it becomes a line's amount. No fixed number of decimals would do
//! the same: an exact result can lie on a half fen (which a cut value misses) or as close to one as its
//! denominator allows, which grows with the data.

use crate::EngineError;
use crate::col::ONE;
use arrow::array::UInt32Array;
use jx555_lang::pack::manifest::RoundingMode;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::sync::Arc;

/// An exact rational number.
pub type Q = BigRational;

/// A column of exact rationals; `None` is a missing value. A column of length one is a constant.
#[derive(Debug, Clone, PartialEq)]
pub struct Exact(Arc<[Option<Q>]>);

impl Exact {
    /// A column of the given values.
    pub fn new(values: Vec<Option<Q>>) -> Self {
        Exact(values.into())
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it has no values.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value at a row (a constant at every row); `None` when missing.
    pub fn get(&self, row: usize) -> Option<&Q> {
        let row = if self.0.len() == 1 { 0 } else { row };
        self.0.get(row).and_then(Option::as_ref)
    }

    /// The values at the given positions; a constant stays a constant.
    pub fn take(&self, rows: &UInt32Array) -> Exact {
        if self.0.len() == 1 {
            return self.clone();
        }
        Exact::new(
            rows.iter()
                .map(|r| r.and_then(|r| self.get(r as usize).cloned()))
                .collect(),
        )
    }

    /// A constant repeated `n` times.
    pub fn spread(&self, n: usize) -> Exact {
        if self.0.len() != 1 || n == 1 {
            return self.clone();
        }
        Exact::new(vec![self.get(0).cloned(); n])
    }

    /// `n` missing values.
    pub fn nulls(n: usize) -> Exact {
        Exact::new(vec![None; n])
    }

    /// Applies `f` pairwise, broadcasting constants; a missing side gives a missing value.
    pub fn zip<T>(a: &Exact, b: &Exact, mut f: impl FnMut(&Q, &Q) -> Option<T>) -> Vec<Option<T>> {
        let n = if a.len() == 1 { b.len() } else { a.len() };
        (0..n)
            .map(|i| match (a.get(i), b.get(i)) {
                (Some(x), Some(y)) => f(x, y),
                _ => None,
            })
            .collect()
    }

    /// Applies `f` to each value.
    pub fn map(&self, f: impl Fn(&Q) -> Q) -> Exact {
        Exact::new(self.0.iter().map(|v| v.as_ref().map(&f)).collect())
    }
}

/// The rational value of a fixed-point number.
pub fn of_fixed(v: i128) -> Q {
    Q::new(BigInt::from(v), BigInt::from(ONE))
}

/// The fixed-point form of a rational, when it has one (at most [`SCALE`](crate::col::SCALE)
/// decimals, within `i128`).
pub fn to_fixed(q: &Q) -> Option<i128> {
    let scaled = q * BigInt::from(ONE);
    if scaled.is_integer() {
        scaled.to_integer().to_i128()
    } else {
        None
    }
}

/// `q` rounded to a multiple of `step` as the mode says: `down` toward zero, `up` away from zero,
/// `half_up` halves away from zero, `half_even` halves to the even multiple.
pub fn round(q: &Q, step: &Q, mode: RoundingMode) -> Q {
    if !step.is_positive() {
        return q.clone();
    }
    let x = q / step;
    let floor = x.floor();
    let rest = &x - &floor;
    let half = Q::new(BigInt::from(1), BigInt::from(2));
    let up = match mode {
        RoundingMode::Down => q.is_negative() && !rest.is_zero(),
        RoundingMode::Up => q.is_positive() && !rest.is_zero(),
        RoundingMode::HalfUp => match rest.cmp(&half) {
            Ordering::Greater => true,
            Ordering::Equal => !q.is_negative(),
            Ordering::Less => false,
        },
        RoundingMode::HalfEven => match rest.cmp(&half) {
            Ordering::Greater => true,
            Ordering::Equal => floor.to_integer() % BigInt::from(2) != BigInt::zero(),
            Ordering::Less => false,
        },
    };
    let whole = if up {
        floor + Q::from_integer(1.into())
    } else {
        floor
    };
    whole * step
}

/// The fen of an amount, rounded once as the pack says; `None` beyond what a fen amount holds.
pub fn fen(q: &Q, mode: RoundingMode) -> Option<i64> {
    let cents = round(&(q * BigInt::from(100)), &Q::from_integer(1.into()), mode);
    cents.to_integer().to_i64()
}

/// The whole number at or below (`ceil` false) or at or above a rational.
pub fn whole(q: &Q, ceil: bool) -> Option<i64> {
    let w = if ceil { q.ceil() } else { q.floor() };
    w.to_integer().to_i64()
}

/// A rational as a decimal for reading: exact when it ends within 28 digits, else rounded half to
/// even at [`SCALE`](crate::col::SCALE) decimals. Only for display, never for arithmetic.
pub fn to_decimal(q: &Q) -> rust_decimal::Decimal {
    let fixed = match to_fixed(q) {
        Some(v) => v,
        None => {
            let r = round(q, &of_fixed(1), RoundingMode::HalfEven);
            match to_fixed(&r) {
                Some(v) => v,
                None => return rust_decimal::Decimal::MAX,
            }
        }
    };
    crate::col::from_fixed(fixed)
}

/// The error of an exact value where only a fixed decimal can go.
pub fn not_fixed(q: &Q) -> EngineError {
    EngineError::internal(format!(
        "the exact value {q} has no fixed decimal form here"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Q {
        Q::new(BigInt::from(n), BigInt::from(d))
    }

    #[test]
    fn rounding_modes_at_the_half() {
        let one = q(1, 1);
        assert_eq!(round(&q(5, 2), &one, RoundingMode::HalfUp), q(3, 1));
        assert_eq!(round(&q(-5, 2), &one, RoundingMode::HalfUp), q(-3, 1));
        assert_eq!(round(&q(5, 2), &one, RoundingMode::HalfEven), q(2, 1));
        assert_eq!(round(&q(7, 2), &one, RoundingMode::HalfEven), q(4, 1));
        assert_eq!(round(&q(-7, 2), &one, RoundingMode::HalfEven), q(-4, 1));
        assert_eq!(round(&q(9, 4), &one, RoundingMode::Up), q(3, 1));
        assert_eq!(round(&q(-9, 4), &one, RoundingMode::Up), q(-3, 1));
        assert_eq!(round(&q(-9, 4), &one, RoundingMode::Down), q(-2, 1));
        assert_eq!(round(&q(9, 4), &one, RoundingMode::Down), q(2, 1));
    }

    #[test]
    fn fixed_form_only_when_exact() {
        assert_eq!(to_fixed(&q(3, 10)), Some(3 * ONE / 10));
        assert_eq!(to_fixed(&q(1, 3)), None);
        assert_eq!(fen(&q(1, 3), RoundingMode::HalfUp), Some(33));
        assert_eq!(fen(&q(1, 200), RoundingMode::HalfUp), Some(1));
        assert_eq!(fen(&q(1, 200), RoundingMode::HalfEven), Some(0));
    }
}
