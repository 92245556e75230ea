//! Columns of values and the kernels over them.
//!
//! Every number that is not a whole count is an exact `Decimal128` with [`SCALE`] decimals (Arrow's default
//! decimal type), so money, percents and ratios such as 容积率 never touch binary floating point. A column of
//! length one stands for a constant and is broadcast by the kernels.

use crate::EngineError;
use crate::exact::{self, Exact};
use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Decimal128Array, Int64Array, Scalar,
    StringArray, UInt32Array,
};
use arrow::buffer::BooleanBuffer;
use arrow::compute::kernels::{cmp, zip::zip};
use arrow::datatypes::{ArrowPrimitiveType, Decimal128Type, Int64Type};
use arrow::error::ArrowError;
use jx555_lang::ir::CmpOp;
use jx555_lang::types::Value;
use rust_decimal::Decimal;
use std::sync::Arc;

/// Decimals kept in every exact number.
pub const SCALE: u32 = 10;
/// One, at [`SCALE`].
pub const ONE: i128 = 10_000_000_000;

/// A column of values of one type.
#[derive(Debug, Clone)]
pub enum Col {
    /// bool
    Bool(BooleanArray),
    /// int and year
    Int(Int64Array),
    /// decimal, percent and money, at [`SCALE`]
    Dec(Decimal128Array),
    /// text and enum values
    Text(StringArray),
    /// dates
    Date(Date32Array),
    /// row numbers of records (of the kind the expression's type says)
    Ref(UInt32Array),
    /// decimal, percent and money that fixed point cannot hold exactly (a quotient whose decimals do
    /// not end, a value beyond `i128`): see [`crate::exact`]
    Exact(Exact),
}

impl Col {
    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            Col::Exact(x) => x.len(),
            other => other.array().len(),
        }
    }

    /// Whether the value at a row is missing.
    pub fn is_null(&self, row: usize) -> bool {
        let row = if self.len() == 1 { 0 } else { row };
        match self {
            Col::Exact(x) => x.get(row).is_none(),
            other => other.array().is_null(row),
        }
    }

    /// Where values are present.
    pub fn present(&self) -> BooleanArray {
        (0..self.len()).map(|i| Some(!self.is_null(i))).collect()
    }

    /// Whether it has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The underlying Arrow array; an exact column has none (an empty one stands in).
    pub fn array(&self) -> &dyn Array {
        static NONE: std::sync::LazyLock<BooleanArray> =
            std::sync::LazyLock::new(|| BooleanArray::from(Vec::<bool>::new()));
        match self {
            Col::Exact(_) => &*NONE,
            Col::Bool(a) => a,
            Col::Int(a) => a,
            Col::Dec(a) => a,
            Col::Text(a) => a,
            Col::Date(a) => a,
            Col::Ref(a) => a,
        }
    }

    /// A column of the same type from an array that a kernel returned.
    fn like(&self, array: ArrayRef) -> Col {
        match self {
            Col::Bool(_) => Col::Bool(array.as_boolean().clone()),
            Col::Int(_) => Col::Int(array.as_primitive::<Int64Type>().clone()),
            Col::Dec(_) => Col::Dec(array.as_primitive::<Decimal128Type>().clone()),
            Col::Text(_) => Col::Text(array.as_string::<i32>().clone()),
            Col::Date(_) => Col::Date(array.as_primitive().clone()),
            Col::Ref(_) => Col::Ref(array.as_primitive().clone()),
            Col::Exact(_) => Col::Exact(Exact::nulls(array.len())),
        }
    }

    /// The values at the given positions (`take`); a constant stays a constant.
    pub fn take(&self, rows: &UInt32Array) -> Result<Col, EngineError> {
        if self.len() == 1 {
            return Ok(self.clone());
        }
        if let Col::Exact(x) = self {
            return Ok(Col::Exact(x.take(rows)));
        }
        Ok(self.like(gather(self.array(), rows)?))
    }

    /// A constant repeated `n` times, for kernels that need a full column.
    pub fn spread(&self, n: usize) -> Result<Col, EngineError> {
        if self.len() != 1 || n == 1 {
            return Ok(self.clone());
        }
        if let Col::Exact(x) = self {
            return Ok(Col::Exact(x.spread(n)));
        }
        Ok(self.like(arrow::compute::take(
            self.array(),
            &UInt32Array::from(vec![0u32; n]),
            None,
        )?))
    }

    /// The column as booleans; anything else is an internal error (the checker typed it).
    pub fn bool(&self) -> Result<&BooleanArray, EngineError> {
        match self {
            Col::Bool(a) => Ok(a),
            other => Err(EngineError::internal(format!(
                "expected booleans, found {other:?}"
            ))),
        }
    }

    /// The column as record numbers.
    pub fn refs(&self) -> Result<&UInt32Array, EngineError> {
        match self {
            Col::Ref(a) => Ok(a),
            other => Err(EngineError::internal(format!(
                "expected records, found {other:?}"
            ))),
        }
    }

    /// The column as fixed-point numbers (whole numbers are widened). An exact column converts only
    /// when every value has a fixed form; otherwise it is an error, never a silent cut.
    pub fn dec(&self) -> Result<Decimal128Array, EngineError> {
        match self {
            Col::Dec(a) => Ok(a.clone()),
            Col::Int(a) => Ok(a.unary(|v| i128::from(v) * ONE)),
            Col::Exact(x) => (0..x.len())
                .map(|i| {
                    x.get(i)
                        .map(|q| exact::to_fixed(q).ok_or_else(|| exact::not_fixed(q)))
                        .transpose()
                })
                .collect(),
            other => Err(EngineError::internal(format!(
                "expected numbers, found {other:?}"
            ))),
        }
    }

    /// The constant column for a value.
    pub fn constant(v: &Value) -> Col {
        match v {
            Value::Bool(b) => Col::Bool(BooleanArray::from(vec![*b])),
            Value::Int(i) => Col::Int(Int64Array::from(vec![*i])),
            Value::Year(y) => Col::Int(Int64Array::from(vec![i64::from(*y)])),
            Value::Decimal(d) | Value::Money(d) | Value::Percent(d) => {
                Col::Dec(Decimal128Array::from(vec![to_fixed(*d)]))
            }
            Value::Date(d) => Col::Date(Date32Array::from(vec![d.to_days()])),
            Value::Text(t) => Col::Text(StringArray::from(vec![t.as_str()])),
            Value::Enum(_, v) => Col::Text(StringArray::from(vec![v.as_str()])),
        }
    }

    /// One missing value of a type: what a pending parameter reads as.
    pub fn missing(ty: &jx555_lang::types::Type) -> Result<Col, EngineError> {
        use jx555_lang::types::Type as T;
        let zero = match ty {
            T::Bool => Value::Bool(false),
            T::Int | T::Year => Value::Int(0),
            T::Decimal | T::Money | T::Percent => Value::Decimal(Decimal::ZERO),
            T::Text | T::Enum(_) => Value::Text(String::new()),
            T::Date => Value::Date(jx555_lang::types::Date::from_days(0)),
            _ => return Err(EngineError::internal(format!("no missing value of {ty}"))),
        };
        Ok(Col::constant(&zero).nulls_like(1))
    }

    /// The column as exact rationals (any number column).
    pub fn exact(&self) -> Result<Exact, EngineError> {
        Ok(match self {
            Col::Exact(x) => x.clone(),
            other => Exact::new(
                other
                    .dec()?
                    .iter()
                    .map(|v| v.map(exact::of_fixed))
                    .collect(),
            ),
        })
    }

    /// A column of `n` nulls of the same type.
    pub fn nulls_like(&self, n: usize) -> Col {
        if let Col::Exact(_) = self {
            return Col::Exact(Exact::nulls(n));
        }
        self.like(arrow::array::new_null_array(self.array().data_type(), n))
    }
}

/// The values of `array` at `rows` (of more than one value): consecutive rows as a slice, others
/// gathered.
pub(crate) fn gather(array: &dyn Array, rows: &UInt32Array) -> Result<ArrayRef, EngineError> {
    Ok(match run_start(rows, array.len()) {
        Some(start) => array.slice(start, rows.len()),
        None => arrow::compute::take(array, rows, None)?,
    })
}

/// Where `rows` starts when it is a run of consecutive rows within `len` (a chunk of a rule's
/// subjects before any condition narrowed it): such a read is a slice of the column, not a copy.
fn run_start(rows: &UInt32Array, len: usize) -> Option<usize> {
    let values = rows.values();
    let start = *values.first()?;
    let run = rows.null_count() == 0
        && (start as usize)
            .checked_add(values.len())
            .is_some_and(|end| end <= len)
        && values.iter().zip(start..).all(|(r, want)| *r == want);
    run.then_some(start as usize)
}

/// A decimal at [`SCALE`], rounded half to even beyond it.
pub fn to_fixed(d: Decimal) -> i128 {
    let mut d = d;
    d.rescale(SCALE);
    d.mantissa()
}

/// A fixed-point number back as a decimal.
pub fn from_fixed(v: i128) -> Decimal {
    Decimal::try_from_i128_with_scale(v, SCALE)
        .unwrap_or(Decimal::MAX)
        .normalize()
}

fn datum(a: &dyn Array) -> Box<dyn arrow::array::Datum + '_> {
    if a.len() == 1 {
        Box::new(Scalar::new(arrow::array::make_array(a.to_data())))
    } else {
        Box::new(ArrayRefDatum(a))
    }
}

struct ArrayRefDatum<'a>(&'a dyn Array);

impl arrow::array::Datum for ArrayRefDatum<'_> {
    fn get(&self) -> (&dyn Array, bool) {
        (self.0, false)
    }
}

/// Brings two columns to one numeric type when they differ only by int versus decimal.
fn align(a: &Col, b: &Col) -> Result<(Col, Col), EngineError> {
    Ok(match (a, b) {
        (Col::Int(_), Col::Dec(_)) => (Col::Dec(a.dec()?), b.clone()),
        (Col::Dec(_), Col::Int(_)) => (a.clone(), Col::Dec(b.dec()?)),
        _ => (a.clone(), b.clone()),
    })
}

/// `a op b` for any two comparable columns.
pub fn compare(op: CmpOp, a: &Col, b: &Col) -> Result<Col, EngineError> {
    if matches!(a, Col::Exact(_)) || matches!(b, Col::Exact(_)) {
        let held = Exact::zip(&a.exact()?, &b.exact()?, |x, y| {
            Some(op_holds(op, x.cmp(y)))
        });
        return Ok(Col::Bool(held.into_iter().collect()));
    }
    let (a, b) = align(a, b)?;
    let (l, r) = (datum(a.array()), datum(b.array()));
    let out = match op {
        CmpOp::Eq => cmp::eq(l.as_ref(), r.as_ref()),
        CmpOp::Ne => cmp::neq(l.as_ref(), r.as_ref()),
        CmpOp::Lt => cmp::lt(l.as_ref(), r.as_ref()),
        CmpOp::Le => cmp::lt_eq(l.as_ref(), r.as_ref()),
        CmpOp::Gt => cmp::gt(l.as_ref(), r.as_ref()),
        CmpOp::Ge => cmp::gt_eq(l.as_ref(), r.as_ref()),
    }?;
    Ok(Col::Bool(out))
}

/// Whether `op` holds for two values that compare as `ord`.
/// Whether a comparison holds for the ordering of its two sides.
pub fn op_holds(op: CmpOp, ord: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        CmpOp::Eq => ord == Equal,
        CmpOp::Ne => ord != Equal,
        CmpOp::Lt => ord == Less,
        CmpOp::Le => ord != Greater,
        CmpOp::Gt => ord == Greater,
        CmpOp::Ge => ord != Less,
    }
}

/// A constant boolean spread to `n` rows, or the column itself.
pub fn broadcast_bool(b: &BooleanArray, n: usize) -> BooleanArray {
    if b.len() == 1 && n != 1 {
        match b.is_valid(0) {
            true => full_bool(n, b.value(0)),
            false => BooleanArray::new_null(n),
        }
    } else {
        b.clone()
    }
}

/// Picks `a` where `mask` holds, else `b`; a null mask gives null. Constants are broadcast.
pub fn choose(mask: &BooleanArray, a: &Col, b: &Col) -> Result<Col, EngineError> {
    let n = mask.len().max(a.len()).max(b.len());
    if matches!(a, Col::Exact(_)) || matches!(b, Col::Exact(_)) {
        let (a, b, mask) = (a.exact()?, b.exact()?, broadcast_bool(mask, n));
        return Ok(Col::Exact(Exact::new(
            (0..n)
                .map(|i| match mask.is_valid(i) {
                    true if mask.value(i) => a.get(i).cloned(),
                    true => b.get(i).cloned(),
                    false => None,
                })
                .collect(),
        )));
    }
    let (a, b) = align(a, b)?;
    let mask = &broadcast_bool(mask, n);
    if a.len() == 1 && b.len() == 1 && n > 1 {
        // zip needs one full-length side.
        return choose(mask, &a.spread(n)?, &b);
    }
    let picked = zip(mask, datum(a.array()).as_ref(), datum(b.array()).as_ref())?;
    let picked = if mask.null_count() > 0 {
        arrow::compute::nullif(&picked, &arrow::compute::is_null(mask)?)?
    } else {
        picked
    };
    Ok(a.like(picked))
}

/// Applies `f` pairwise with broadcasting of constants; `f` returning `None` is an overflow.
pub fn binary<T, O>(
    a: &arrow::array::PrimitiveArray<T>,
    b: &arrow::array::PrimitiveArray<T>,
    f: impl Fn(T::Native, T::Native) -> Option<O::Native>,
) -> Result<arrow::array::PrimitiveArray<O>, EngineError>
where
    T: ArrowPrimitiveType,
    O: ArrowPrimitiveType,
{
    let overflow = || ArrowError::ComputeError("overflow".into());
    let out = match (a.len(), b.len()) {
        (1, n) if n != 1 => match a.is_valid(0) {
            true => {
                let x = a.value(0);
                b.try_unary(|y| f(x, y).ok_or_else(overflow))?
            }
            false => arrow::array::PrimitiveArray::new_null(n),
        },
        (n, 1) if n != 1 => match b.is_valid(0) {
            true => {
                let y = b.value(0);
                a.try_unary(|x| f(x, y).ok_or_else(overflow))?
            }
            false => arrow::array::PrimitiveArray::new_null(n),
        },
        _ => arrow::compute::try_binary(a, b, |x, y| f(x, y).ok_or_else(overflow))?,
    };
    Ok(out)
}

/// An arithmetic operation on numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// `a op b` over numbers, exact. In fixed point while every result is exact there (the common case,
/// at Arrow speed); otherwise the whole column in exact rationals ([`crate::exact`]). A division by
/// zero gives a missing value, never an error or a made-up number.
pub fn arith(op: Arith, a: &Col, b: &Col) -> Result<Col, EngineError> {
    if !matches!(a, Col::Exact(_)) && !matches!(b, Col::Exact(_)) {
        let (x, y) = (a.dec()?, b.dec()?);
        if let Some(out) = fixed_arith(op, &x, &y) {
            return Ok(Col::Dec(out));
        }
    }
    let (x, y) = (a.exact()?, b.exact()?);
    Ok(Col::Exact(Exact::new(Exact::zip(
        &x,
        &y,
        |p, q| match op {
            Arith::Add => Some(p + q),
            Arith::Sub => Some(p - q),
            Arith::Mul => Some(p * q),
            Arith::Div if num_traits::Zero::is_zero(q) => None,
            Arith::Div => Some(p / q),
        },
    ))))
}

/// The fixed-point result, or `None` when some value would not be exact in fixed point. Runs as an
/// Arrow kernel; a division by zero is marked with `i128::MIN` (no exact result is that) and then
/// made missing.
fn fixed_arith(op: Arith, a: &Decimal128Array, b: &Decimal128Array) -> Option<Decimal128Array> {
    const ZERO_DIVISOR: i128 = i128::MIN;
    let out = binary::<Decimal128Type, Decimal128Type>(a, b, |p, q| match op {
        Arith::Add => p.checked_add(q),
        Arith::Sub => p.checked_sub(q),
        Arith::Mul => exact_quotient(p.checked_mul(q)?, ONE),
        Arith::Div if q == 0 => Some(ZERO_DIVISOR),
        Arith::Div => exact_quotient(p.checked_mul(ONE)?, q),
    })
    .ok()?;
    if op == Arith::Div && out.values().contains(&ZERO_DIVISOR) {
        return Some(
            out.iter()
                .map(|v| v.filter(|x| *x != ZERO_DIVISOR))
                .collect(),
        );
    }
    Some(out)
}

/// `n / d` when it is a whole number (`None` too for `i128::MIN`, which marks a zero divisor).
fn exact_quotient(n: i128, d: i128) -> Option<i128> {
    (n.checked_rem(d)? == 0)
        .then(|| n / d)
        .filter(|x| *x != i128::MIN)
}

/// A column that is all `value`, `n` long (used where a kernel needs a full array).
pub fn full_bool(n: usize, value: bool) -> BooleanArray {
    BooleanArray::new(
        if value {
            BooleanBuffer::new_set(n)
        } else {
            BooleanBuffer::new_unset(n)
        },
        None,
    )
}

/// Positions where a boolean column is true (null is not true).
pub fn true_positions(mask: &BooleanArray) -> UInt32Array {
    UInt32Array::from_iter_values(known_true(mask).values().set_indices_u32())
}

/// A boolean column where nulls become false: a condition that cannot be decided is not met.
pub fn known_true(mask: &BooleanArray) -> BooleanArray {
    if mask.null_count() == 0 {
        mask.clone()
    } else {
        arrow::compute::prep_null_mask_filter(mask)
    }
}

/// Wraps an array into a column of the type of `like`.
pub fn array_ref(a: impl Array + 'static) -> ArrayRef {
    Arc::new(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx555_lang::pack::manifest::RoundingMode;

    fn dec(d: Decimal) -> Col {
        Col::Dec(Decimal128Array::from(vec![to_fixed(d)]))
    }

    /// A run of consecutive rows is read as a slice; anything else is gathered; both read the
    /// same values.
    #[test]
    fn runs_are_slices_and_read_as_takes_do() {
        let col = Col::Int(Int64Array::from(vec![
            Some(10),
            None,
            Some(12),
            Some(13),
            Some(14),
        ]));
        let rows = |v: Vec<Option<u32>>| UInt32Array::from(v);
        assert_eq!(
            run_start(&rows(vec![Some(1), Some(2), Some(3)]), 5),
            Some(1)
        );
        assert_eq!(run_start(&rows(vec![Some(3), Some(4)]), 5), Some(3));
        assert_eq!(
            run_start(&rows(vec![Some(4), Some(5)]), 5),
            None,
            "past the end"
        );
        assert_eq!(run_start(&rows(vec![Some(1), Some(3)]), 5), None, "a gap");
        assert_eq!(
            run_start(&rows(vec![Some(2), Some(1)]), 5),
            None,
            "backwards"
        );
        assert_eq!(run_start(&rows(vec![Some(1), None]), 5), None, "a null row");
        assert_eq!(run_start(&rows(vec![]), 5), None);
        for r in [
            vec![Some(1), Some(2), Some(3)],
            vec![Some(0), Some(2)],
            vec![Some(2), None, Some(4)],
        ] {
            let taken = arrow::compute::take(col.array(), &rows(r.clone()), None).unwrap();
            let Col::Int(read) = col.take(&rows(r)).unwrap() else {
                panic!("an int column reads as ints")
            };
            assert_eq!(&read, taken.as_primitive::<Int64Type>());
        }
    }

    fn exact_value(c: &Col) -> exact::Q {
        match c.exact().unwrap().get(0) {
            Some(q) => q.clone(),
            None => panic!("missing value"),
        }
    }

    #[test]
    fn fixed_point_is_exact_where_floats_are_not() {
        let steps = arith(
            Arith::Div,
            &arith(
                Arith::Sub,
                &dec(Decimal::new(18, 1)),
                &dec(Decimal::new(15, 1)),
            )
            .unwrap(),
            &dec(Decimal::new(1, 1)),
        )
        .unwrap();
        assert!(matches!(&steps, Col::Dec(d) if d.value(0) == 3 * ONE));
        // 150元 × 8,333.33 m² = 1,249,999.50元, to the fen.
        let amount = arith(
            Arith::Mul,
            &dec(Decimal::from(150)),
            &dec(Decimal::new(833_333, 2)),
        )
        .unwrap();
        assert_eq!(
            from_fixed(amount.dec().unwrap().value(0)),
            Decimal::new(124_999_950, 2)
        );
    }

    #[test]
    fn a_quotient_that_does_not_end_stays_exact() {
        // （六）: 7亿 × (30% − 10%) / (1 + 30%) = 107,692,307.6923…元.
        let g = dec(Decimal::new(3, 1));
        let share = arith(
            Arith::Div,
            &arith(Arith::Sub, &g, &dec(Decimal::new(1, 1))).unwrap(),
            &arith(Arith::Add, &dec(Decimal::ONE), &g).unwrap(),
        )
        .unwrap();
        assert!(matches!(share, Col::Exact(_)));
        let award = arith(Arith::Mul, &dec(Decimal::from(700_000_000)), &share).unwrap();
        let fen = exact::fen(&exact_value(&award), RoundingMode::HalfUp);
        assert_eq!(fen, Some(10_769_230_769));
        assert!(award.dec().is_err(), "no silent cut to fixed point");
    }

    #[test]
    fn division_by_zero_is_missing() {
        let q = arith(Arith::Div, &dec(Decimal::ONE), &dec(Decimal::ZERO)).unwrap();
        assert!(q.is_null(0));
    }

    proptest::proptest! {
        #[test]
        fn arithmetic_agrees_with_exact_rationals(a in -1_000_000_000_000_000i64..1_000_000_000_000_000, b in -1_000_000_000_000i64..1_000_000_000_000, sa in 0u32..5, sb in 0u32..5) {
            let (x, y) = (Decimal::new(a, sa), Decimal::new(b, sb));
            let q = |d: Decimal| exact::of_fixed(to_fixed(d));
            for (op, want) in [
                (Arith::Add, Some(q(x) + q(y))),
                (Arith::Sub, Some(q(x) - q(y))),
                (Arith::Mul, Some(q(x) * q(y))),
                (Arith::Div, (!y.is_zero()).then(|| q(x) / q(y))),
            ] {
                let got = arith(op, &dec(x), &dec(y)).unwrap().exact().unwrap().get(0).cloned();
                proptest::prop_assert_eq!(got, want);
            }
        }
    }
}
