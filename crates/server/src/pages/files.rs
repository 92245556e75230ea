//! Uploaded files, one way for every page that takes them (a case's 申报材料, a request's
//! attachments, the desk's imports, a finance system's return file): read from the form's `file` field, accepted as PDF, JPEG or PNG by their bytes and
//! at most 20 MB, the name stripped of folders; served back as a download, never inline.

use crate::{PageError, ServerError};
use jx555_store::cases::{Attachment, NewAttachment};
use jx555_workflow::case;

/// The form's `file` field: its name as uploaded and its bytes.
pub(crate) async fn field(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(String, Vec<u8>), PageError> {
    let mut multipart = multipart.map_err(super::bad_request)?;
    let too_big = |e: axum::extract::multipart::MultipartError| {
        ServerError::TooLarge(format!("文件无法读取或超过 20 MB：{e}"))
    };
    while let Some(field) = multipart.next_field().await.map_err(too_big)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("附件").to_string();
            let bytes = field.bytes().await.map_err(too_big)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(ServerError::BadRequest("没有选择文件".into()).into())
}

/// A file as kept: PDF, JPEG or PNG by its content, at most 20 MB, its name without folders or
/// control characters and at most 100 characters.
pub(crate) fn accept(name: String, bytes: Vec<u8>) -> Result<NewAttachment, ServerError> {
    if bytes.len() > case::MAX_ATTACHMENT {
        return Err(ServerError::TooLarge("文件超过 20 MB".into()));
    }
    let mime = case::attachment_type(&bytes).ok_or_else(|| {
        ServerError::BadRequest("只接受 PDF、JPG、PNG 文件（按文件内容判断）".into())
    })?;
    let name: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    Ok(NewAttachment {
        name,
        mime: mime.to_string(),
        bytes,
    })
}

/// A kept file as a download (an ASCII file name; the type as detected at upload).
pub(crate) fn download((a, bytes): (Attachment, Vec<u8>)) -> axum::response::Response {
    use axum::response::IntoResponse;
    let ascii: String = a
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (axum::http::header::CONTENT_TYPE, a.mime.clone()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// An uploaded CSV or XLSX (by its name) read as one table, problems naming the file as uploaded.
pub(crate) fn table(name: &str, bytes: &[u8]) -> Result<jx555_facts::RawTable, ServerError> {
    let ext = if name.to_lowercase().ends_with(".xlsx") {
        "xlsx"
    } else {
        "csv"
    };
    let dir = tempfile::tempdir().map_err(|e| ServerError::Internal(e.to_string()))?;
    let path = dir.path().join(format!("upload.{ext}"));
    std::fs::write(&path, bytes).map_err(|e| ServerError::Internal(e.to_string()))?;
    let mut t = jx555_facts::desk::read_table(&path).map_err(ServerError::BadRequest)?;
    // Problems name the file as uploaded, not the temporary copy.
    t.source = name.rsplit(['/', '\\']).next().unwrap_or(name).to_string();
    Ok(t)
}

/// A file's problems as one refusal: the first hundred, and how many more.
pub(crate) fn problems(ps: &[jx555_facts::Problem]) -> ServerError {
    let mut lines: Vec<String> = ps.iter().take(100).map(|p| p.to_string()).collect();
    if ps.len() > 100 {
        lines.push(format!("……另有 {} 处", ps.len() - 100));
    }
    ServerError::BadRequest(format!(
        "未导入任何记录，有 {} 处问题：\n{}",
        ps.len(),
        lines.join("\n")
    ))
}
