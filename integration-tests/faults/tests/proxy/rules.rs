//! Which requests a rule picks, how often it fires, and what the proxy records.

use storage_faults::{Fault, Rule, Seen};

use crate::client::Client;
use crate::setup;

fn status(code: u16) -> Fault {
    Fault::Status {
        code,
        headers: Vec::new(),
        body: String::new(),
    }
}

/// Sends a bodiless request and returns the status of its answer.
async fn ask(client: &mut Client, method: &str, target: &str, header: Option<&str>) -> u16 {
    let header = header.map(|line| format!("{line}\r\n")).unwrap_or_default();
    client
        .send(format!(
            "{method} {target} HTTP/1.1\r\nHost: test\r\n{header}Content-Length: 0\r\n\r\n"
        ))
        .await;
    client.response(method == "HEAD").await.status
}

#[tokio::test]
async fn a_rule_fires_its_times_then_lets_requests_pass() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(status(500)).times(2));
    let statuses = [
        client.get("/fixed").await.status,
        client.get("/fixed").await.status,
        client.get("/fixed").await.status,
    ];
    assert_eq!(statuses, [500, 500, 200]);
    assert_eq!(proxy.fired(), 2);
}

#[tokio::test]
async fn every_condition_of_a_rule_must_hold() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(
        Rule::new(status(501))
            .method("put")
            .path_contains("/b/a%20key")
            .query_contains("partNumber=2")
            .header_present("X-Test-Flag")
            .times(10),
    );
    let flag = Some("x-test-flag: yes");
    let target = "/b/a%20key?uploadId=u&partNumber=2";
    assert_eq!(ask(&mut client, "POST", target, flag).await, 200, "method");
    assert_eq!(
        ask(&mut client, "PUT", "/b/a+key?partNumber=2", flag).await,
        200,
        "path"
    );
    assert_eq!(
        ask(&mut client, "PUT", "/b/a%20key?partNumber=1", flag).await,
        200,
        "query"
    );
    assert_eq!(
        ask(&mut client, "PUT", "/b/partNumber=2", flag).await,
        200,
        "query"
    );
    assert_eq!(
        ask(&mut client, "PUT", target, Some("x-test: yes")).await,
        200,
        "header"
    );
    assert_eq!(ask(&mut client, "PUT", target, flag).await, 501);
    assert_eq!(proxy.fired(), 1);
}

#[tokio::test]
async fn the_first_matching_rule_with_firings_left_fires() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(status(501)).path_contains("/a"));
    proxy.arm(Rule::new(status(502)).times(2));
    let statuses = [
        client.get("/a").await.status,
        client.get("/a").await.status,
        client.get("/fixed").await.status,
        client.get("/fixed").await.status,
    ];
    assert_eq!(statuses, [501, 502, 502, 200]);
}

#[tokio::test]
async fn clear_drops_the_rules_and_the_record() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(status(500)).times(5));
    assert_eq!(client.get("/fixed").await.status, 500);
    proxy.clear();
    assert_eq!((proxy.fired(), proxy.requests()), (0, Vec::new()));
    assert_eq!(client.get("/fixed?again").await.status, 200);
    assert_eq!(
        proxy.requests(),
        [Seen {
            method: "GET".to_owned(),
            target: "/fixed?again".to_owned(),
            fault: None,
            status: Some(200),
        }]
    );
}

#[tokio::test]
async fn the_record_names_each_request_its_fault_and_its_status() {
    let (_upstream, proxy, mut client) = setup().await;
    let truncate = Fault::Truncate { keep: 1 };
    proxy.arm(Rule::new(truncate.clone()).query_contains("cut"));
    assert_eq!(ask(&mut client, "HEAD", "/fixed?x=1", None).await, 200);
    client
        .send("GET /fixed?cut HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    let _ = client.rest().await;
    let mut again = Client::connect(proxy.addr()).await;
    assert_eq!(ask(&mut again, "DELETE", "/gone", None).await, 404);
    let seen = |method: &str, target: &str, fault, status| Seen {
        method: method.to_owned(),
        target: target.to_owned(),
        fault,
        status,
    };
    assert_eq!(
        proxy.requests(),
        [
            seen("HEAD", "/fixed?x=1", None, Some(200)),
            seen("GET", "/fixed?cut", Some(truncate), Some(200)),
            seen("DELETE", "/gone", None, Some(404)),
        ]
    );
}
