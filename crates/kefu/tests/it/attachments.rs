//! Attachments end to end: agents attach files to replies and notes (API and UI), the
//! customer to the portal request and replies; each file comes back only to who may see
//! its message, typed by its bytes, and refused files write nothing.

use crate::on_both;
use crate::support::{Backend, TestApp};
use crate::ui::{no_redirects, signed_in, with_agent};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9";

fn file(name: &str, bytes: &[u8]) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_owned())
}

/// Posts a message with files through the API; status and body.
async fn post_with_files(app: &TestApp, number: i64, kind: &str, body: &str, files: Vec<Part>) -> (u16, Value) {
    let mut form = Form::new().text("kind", kind.to_owned()).text("body", body.to_owned());
    for part in files {
        form = form.part("files", part);
    }
    let response = app
        .client
        .post(format!("{}/api/v1/tickets/{number}/messages", app.base))
        .bearer_auth(&app.token)
        .multipart(form)
        .send()
        .await
        .expect("post");
    crate::support::decode(response).await
}

async fn download(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("get")
}

fn codes(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["code"].as_str().unwrap_or_default().to_owned()).collect())
        .unwrap_or_default()
}

async fn messages(app: &TestApp, number: i64) -> Vec<Value> {
    let (status, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(status, 200, "{detail}");
    detail["messages"].as_array().expect("messages").clone()
}

async fn agents_attach_files_typed_by_their_bytes_and_refused_files_write_nothing(backend: Backend) {
    let app = crate::support::spawn(backend).await;
    let number = app.ticket("屏幕碎了 Cracked screen", "li@example.com").await;

    let (status, added) = post_with_files(
        &app,
        number,
        "reply",
        "请看照片和说明 See the photo",
        vec![file("照片.txt", PNG), file("steps.txt", "1. 开机\n2. 黑屏\n".as_bytes())],
    )
    .await;
    assert_eq!(status, 201, "{added}");
    let files = added["message"]["attachments"].as_array().expect("attachments");
    assert_eq!(files.len(), 2);
    assert_eq!(
        files[0]["file_name"], "照片.txt.png",
        "a picture is saved as one, whatever it was called"
    );
    assert_eq!(files[0]["content_type"], "image/png", "typed by the bytes, not the name");
    assert_eq!(files[1]["content_type"], "text/plain; charset=utf-8");
    assert_eq!(files[1]["size"], "1. 开机\n2. 黑屏\n".len());

    // The ticket shows them on their message; a plain JSON message still has none.
    let (status, plain) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            serde_json::json!({ "kind": "note", "body": "no files" }),
        )
        .await;
    assert_eq!(status, 201, "{plain}");
    assert_eq!(plain["message"]["attachments"], serde_json::json!([]));
    let listed = messages(&app, number).await;
    assert_eq!(listed[0]["attachments"].as_array().expect("files").len(), 2);

    // Downloads: the stored type, pictures inline, everything sandboxed and unsniffed.
    let picture_id = files[0]["id"].as_i64().expect("id");
    let picture = download(
        &app,
        &format!("/api/v1/tickets/{number}/attachments/{picture_id}"),
        Some(&app.token),
    )
    .await;
    assert_eq!(picture.status(), StatusCode::OK);
    assert_eq!(picture.headers()["content-type"], "image/png");
    assert_eq!(picture.headers()["x-content-type-options"], "nosniff");
    assert!(
        picture.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .contains("sandbox")
    );
    let disposition = picture.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(
        disposition.starts_with("inline;") && disposition.contains("filename*=UTF-8''%E7%85%A7%E7%89%87.txt.png"),
        "{disposition}"
    );
    assert_eq!(picture.bytes().await.expect("bytes").as_ref(), PNG);
    let text_id = files[1]["id"].as_i64().expect("id");
    let text = download(&app, &format!("/api/v1/tickets/{number}/attachments/{text_id}"), Some(&app.token)).await;
    assert!(
        text.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("attachment;")
    );
    assert_eq!(text.text().await.expect("text"), "1. 开机\n2. 黑屏\n");

    // Not without a token, not through another ticket, not an id that does not exist.
    assert_eq!(
        download(&app, &format!("/api/v1/tickets/{number}/attachments/{picture_id}"), None)
            .await
            .status(),
        401
    );
    let other = app.ticket("别的 Other", "wang@example.com").await;
    for path in [
        format!("/api/v1/tickets/{other}/attachments/{picture_id}"),
        format!("/api/v1/tickets/{number}/attachments/999999"),
        format!("/api/v1/tickets/{number}/attachments/x"),
    ] {
        let response = download(&app, &path, Some(&app.token)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }

    // Refused, each named, and nothing written: markup, programs, empty and oversized files.
    let before = messages(&app, number).await.len();
    let (status, problem) = post_with_files(
        &app,
        number,
        "reply",
        "坏文件 bad files",
        vec![
            file("page.html", b"<html><script>alert(1)</script></html>"),
            file("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
            file("empty.txt", b""),
            file("big.pdf", &[PDF, &vec![b' '; 10 * 1024 * 1024]].concat()),
            file("fine.pdf", PDF),
        ],
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        codes(&problem),
        [
            "attachment_type_not_allowed",
            "attachment_type_not_allowed",
            "empty_attachment",
            "attachment_too_large"
        ]
    );
    assert!(
        problem["errors"][0]["message"].as_str().expect("message").contains("page.html"),
        "{problem}"
    );
    let (status, problem) = post_with_files(&app, number, "reply", "", vec![file("fine.pdf", PDF)]).await;
    assert_eq!(status, 422);
    assert_eq!(codes(&problem), ["required"], "a message needs its text, with files too");
    let many: Vec<Part> = (0..11).map(|i| file(&format!("{i}.pdf"), PDF)).collect();
    let (status, problem) = post_with_files(&app, number, "reply", "many", many).await;
    assert_eq!((status, codes(&problem)), (422, vec!["too_many_attachments".to_owned()]));
    // A body over every limit is refused from its declared length, and read to its end
    // first, so the client gets the answer rather than a reset connection.
    let huge: Vec<Part> = (0..3)
        .map(|i| file(&format!("{i}.pdf"), &[PDF, &vec![b' '; 9 * 1024 * 1024]].concat()))
        .collect();
    let (status, problem) = post_with_files(&app, number, "reply", "huge", huge).await;
    assert_eq!(
        (status, codes(&problem)),
        (422, vec!["attachments_too_large".to_owned()]),
        "{problem}"
    );
    assert_eq!(messages(&app, number).await.len(), before, "refused messages write nothing");
}

async fn the_customer_sends_files_on_the_portal_and_never_sees_a_notes_files(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let form = Form::new()
        .text("name", "李雷")
        .text("email", "lilei@example.com")
        .text("phone", "")
        .text("kind", "after_sales")
        .text("subject", "洗衣机漏水 Washer leaks")
        .text("description", "底部漏水，见照片。Leaks at the bottom.")
        .text("website", "")
        .part("files", file("漏水.jpg", JPEG));
    let submitted = client
        .post(format!("{}/portal", app.base))
        .multipart(form)
        .send()
        .await
        .expect("post");
    if submitted.status() != StatusCode::SEE_OTHER {
        panic!("{}: {:?}", submitted.status(), submitted.text().await);
    }
    let link = submitted.headers()[LOCATION]
        .to_str()
        .expect("ascii")
        .trim_end_matches("?new=1")
        .to_owned();
    let page = app.page(&client, &link, None).await;
    assert!(page.contains("底部漏水"), "the request's own text opens the conversation");
    let request_file = format!("{link}/attachments/");
    let start = page.find(&request_file).expect("a link to the photo") + request_file.len();
    let photo_id: i64 = page[start..].split('"').next().expect("id").parse().expect("number");
    let photo = client
        .get(format!("{}{link}/attachments/{photo_id}", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(photo.status(), StatusCode::OK);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    assert_eq!(photo.bytes().await.expect("bytes").as_ref(), JPEG);

    // The agent sees the request's file on the ticket, adds a note with a file and a reply with one.
    let (_, tickets) = app.get("/api/v1/tickets?limit=1").await;
    let number = tickets["items"][0]["number"].as_i64().expect("number");
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(detail["attachments"][0]["file_name"], "漏水.jpg");
    assert_eq!(detail["attachments"][0]["message_id"], Value::Null);
    let (status, note) = post_with_files(&app, number, "note", "内部：保修单 warranty", vec![file("warranty.pdf", PDF)]).await;
    assert_eq!(status, 201, "{note}");
    let note_file = note["message"]["attachments"][0]["id"].as_i64().expect("id");
    let (status, reply) = post_with_files(&app, number, "reply", "请按说明操作 Follow the guide", vec![file("guide.pdf", PDF)]).await;
    assert_eq!(status, 201, "{reply}");
    let reply_file = reply["message"]["attachments"][0]["id"].as_i64().expect("id");

    let page = app.page(&client, &link, None).await;
    assert!(
        page.contains("guide.pdf") && !page.contains("warranty.pdf"),
        "a note's file stays internal"
    );
    let guide = client
        .get(format!("{}{link}/attachments/{reply_file}", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(guide.status(), StatusCode::OK);
    let hidden = client
        .get(format!("{}{link}/attachments/{note_file}", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND, "not even by guessing its id");
    let forged = client
        .get(format!("{}/portal/t/kefu_0000/attachments/{reply_file}", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);

    // The customer answers with a file; the agent gets it on the customer's message.
    let answer = Form::new()
        .text("body", "试过了，还是漏 Still leaking")
        .part("files", file("again.png", PNG));
    let replied = client
        .post(format!("{}{link}/reply", app.base))
        .multipart(answer)
        .send()
        .await
        .expect("post");
    assert_eq!(replied.status(), StatusCode::SEE_OTHER);
    let listed = messages(&app, number).await;
    let last = listed.last().expect("the customer's message");
    assert_eq!(last["kind"], "customer");
    assert_eq!(last["attachments"][0]["content_type"], "image/png");

    // A refused file on the portal is explained on the form and creates nothing.
    let (_, before) = app.get("/api/v1/tickets?limit=100").await;
    let bad = Form::new()
        .text("name", "韩梅梅")
        .text("email", "hmm@example.com")
        .text("subject", "脚本 script")
        .text("description", "see file")
        .part("files", file("x.svg", b"<svg onload=alert(1)></svg>"));
    let refused = client
        .post(format!("{}/portal", app.base))
        .multipart(bad)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.expect("html").contains("x.svg"));
    let (_, after) = app.get("/api/v1/tickets?limit=100").await;
    assert_eq!(before["items"].as_array().map(Vec::len), after["items"].as_array().map(Vec::len));
}

async fn the_workspace_reply_form_takes_files_with_its_csrf_field(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (cookie, csrf) = signed_in(&app, &client).await;
    let number = app.ticket("发票 Invoice", "zhao@example.com").await;
    let send = |with_token: bool| {
        let mut form = Form::new();
        if with_token {
            form = form.text("_csrf", csrf.clone());
        }
        let form = form
            .text("kind", "reply")
            .text("body", "发票见附件 Invoice attached")
            .part("files", file("发票.pdf", PDF))
            // An empty file input sends a part without name or bytes: ignored.
            .part("files", Part::bytes(Vec::new()).file_name(""));
        client
            .post(format!("{}/tickets/{number}/messages", app.base))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
    };
    let forged = send(false).await.expect("post");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "a form with files needs the CSRF token too");
    assert_eq!(messages(&app, number).await.len(), 0);
    let oversized = client
        .post(format!("{}/tickets/{number}/messages", app.base))
        .header("cookie", &cookie)
        .multipart(
            Form::new()
                .text("_csrf", csrf.clone())
                .text("body", "big")
                .part("files", file("video.pdf", &[PDF, &vec![b' '; 27 * 1024 * 1024]].concat())),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(oversized.status(), StatusCode::UNPROCESSABLE_ENTITY, "explained, not cut off");
    let sent = send(true).await.expect("post");
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let listed = messages(&app, number).await;
    assert_eq!(listed[0]["attachments"][0]["file_name"], "发票.pdf");
    let id = listed[0]["attachments"][0]["id"].as_i64().expect("id");

    let page = app.page(&client, &format!("/tickets/{number}"), Some(&cookie)).await;
    assert!(
        page.contains(&format!("/tickets/{number}/attachments/{id}")),
        "the file is linked under its message"
    );
    let file = client
        .get(format!("{}/tickets/{number}/attachments/{id}", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(file.bytes().await.expect("bytes").as_ref(), PDF);
    let anonymous = client
        .get(format!("{}/tickets/{number}/attachments/{id}", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "signed-out visitors go to sign in");
}

on_both!(
    agents_attach_files_typed_by_their_bytes_and_refused_files_write_nothing,
    the_customer_sends_files_on_the_portal_and_never_sees_a_notes_files,
    the_workspace_reply_form_takes_files_with_its_csrf_field,
);
