//! Columns of values and the kernels over them.
//!
//! Every number that is not a whole count is an exact `Decimal128` with [`SCALE`] decimals (Arrow's default
//! decimal type), so money, percents and ratios such as 容积率 never touch binary floating point. A column of
//! length one stands for a constant and is broadcast by the kernels.

use crate::EngineError;
use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Decimal128Array, Int64Array, Scalar,
    StringArray, UInt32Array,
};
use arrow::compute::kernels::{cmp, zip::zip};
use arrow::datatypes::{ArrowPrimitiveType, Decimal128Type, Int64Type};
use arrow::error::ArrowError;
use jx555_lang::syntax::ast::CmpOp;
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
}

impl Col {
    /// The number of values.
    pub fn len(&self) -> usize {
        self.array().len()
    }

    /// Whether it has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The underlying array.
    pub fn array(&self) -> &dyn Array {
        match self {
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
        }
    }

    /// The values at the given positions (`take`); a constant stays a constant.
    pub fn take(&self, rows: &UInt32Array) -> Result<Col, EngineError> {
        if self.len() == 1 {
            return Ok(self.clone());
        }
        Ok(self.like(arrow::compute::take(self.array(), rows, None)?))
    }

    /// A constant repeated `n` times, for kernels that need a full column.
    pub fn spread(&self, n: usize) -> Result<Col, EngineError> {
        if self.len() != 1 || n == 1 {
            return Ok(self.clone());
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

    /// The column as exact numbers (whole numbers are widened).
    pub fn dec(&self) -> Result<Decimal128Array, EngineError> {
        match self {
            Col::Dec(a) => Ok(a.clone()),
            Col::Int(a) => Ok(a.unary(|v| i128::from(v) * ONE)),
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

    /// A column of `n` nulls of the same type.
    pub fn nulls_like(&self, n: usize) -> Col {
        self.like(arrow::array::new_null_array(self.array().data_type(), n))
    }
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

/// A constant boolean spread to `n` rows, or the column itself.
pub fn broadcast_bool(b: &BooleanArray, n: usize) -> BooleanArray {
    if b.len() == 1 && n != 1 {
        match b.is_valid(0) {
            true => full_bool(n, b.value(0)),
            false => BooleanArray::from(vec![None; n]),
        }
    } else {
        b.clone()
    }
}

/// Picks `a` where `mask` holds, else `b`; a null mask gives null. Constants are broadcast.
pub fn choose(mask: &BooleanArray, a: &Col, b: &Col) -> Result<Col, EngineError> {
    let (a, b) = align(a, b)?;
    let n = mask.len().max(a.len()).max(b.len());
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

/// Exact fixed-point multiplication, rounding half to even past [`SCALE`].
pub fn mul_fixed(a: i128, b: i128) -> Option<i128> {
    div_round(a.checked_mul(b)?, ONE)
}

/// Exact fixed-point division, rounding half to even past [`SCALE`]; division by zero gives `None`.
pub fn div_fixed(a: i128, b: i128) -> Option<i128> {
    if b == 0 {
        return None;
    }
    div_round(a.checked_mul(ONE)?, b)
}

/// `n / d` rounded half to even.
fn div_round(n: i128, d: i128) -> Option<i128> {
    let q = n.checked_div(d)?;
    let r = n.checked_rem(d)?;
    let twice = r.checked_abs()?.checked_mul(2)?;
    let d_abs = d.checked_abs()?;
    let away = twice > d_abs || (twice == d_abs && q % 2 != 0);
    let sign = if (n < 0) != (d < 0) { -1 } else { 1 };
    Some(if away { q + sign } else { q })
}

/// A column that is all `value`, `n` long (used where a kernel needs a full array).
pub fn full_bool(n: usize, value: bool) -> BooleanArray {
    BooleanArray::from(vec![value; n])
}

/// Positions where a boolean column is true (null is not true).
pub fn true_positions(mask: &BooleanArray) -> UInt32Array {
    let n = mask.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if mask.is_valid(i) && mask.value(i) {
            out.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }
    UInt32Array::from(out)
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

    #[test]
    fn fixed_point_is_exact_where_floats_are_not() {
        let far = to_fixed(Decimal::new(18, 1));
        let base = to_fixed(Decimal::new(15, 1));
        let step = to_fixed(Decimal::new(1, 1));
        let steps = div_fixed(far - base, step).unwrap();
        assert_eq!(steps, 3 * ONE);
        // 150元 × 8,333.33 m² = 1,249,999.50元, to the fen.
        let amount = mul_fixed(
            to_fixed(Decimal::from(150)),
            to_fixed(Decimal::new(833_333, 2)),
        )
        .unwrap();
        assert_eq!(from_fixed(amount), Decimal::new(124_999_950, 2));
    }

    proptest::proptest! {
        #[test]
        fn fixed_point_agrees_with_exact_decimals(a in -1_000_000_000_000i64..1_000_000_000_000, b in -1_000_000i64..1_000_000, sa in 0u32..4, sb in 0u32..4) {
            let (x, y) = (Decimal::new(a, sa), Decimal::new(b, sb));
            let exact = |d: Decimal| d.round_dp_with_strategy(SCALE, rust_decimal::RoundingStrategy::MidpointNearestEven);
            proptest::prop_assert_eq!(from_fixed(to_fixed(x) + to_fixed(y)), exact(x + y).normalize());
            proptest::prop_assert_eq!(from_fixed(mul_fixed(to_fixed(x), to_fixed(y)).unwrap()), exact(x * y).normalize());
            if !y.is_zero() {
                proptest::prop_assert_eq!(from_fixed(div_fixed(to_fixed(x), to_fixed(y)).unwrap()), exact(x / y).normalize());
            }
        }
    }

    #[test]
    fn rounding_is_half_even_past_the_scale() {
        assert_eq!(div_round(5, 2), Some(2));
        assert_eq!(div_round(7, 2), Some(4));
        assert_eq!(div_round(-5, 2), Some(-2));
        assert_eq!(div_round(-7, 2), Some(-4));
    }
}
