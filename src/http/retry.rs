//! Whether a failed attempt is tried again, and after how long: the one place that decides.
//!
//! The rule: try again when a new attempt may cure the failure (the connection failed or
//! broke, a timeout before the answer began, HTTP 408, 409, 429 and 5xx, but not a 429 that
//! says the quota is used up), the budget of `--retries` is not spent, and nothing of the
//! answer was shown or kept, since a second attempt would show it twice. The server may
//! overrule the status (`x-should-retry`) and say how long to wait (`retry-after-ms`,
//! `retry-after`); a wait over two minutes means giving up now, not sleeping through it.
//! Otherwise the wait doubles from half a second up to eight, shortened at random so that
//! many clients turned away together do not come back together.

use std::future::Future;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use super::failure::{Failed, Trouble};

/// The longest wait a server may ask for; longer means give up at once.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// The wait before the next attempt, or `None` to give up. `attempt` counts the attempts
/// that failed before this one (0 after the first), `jitter` is 0 to 0.25.
pub(crate) fn next_wait(
    trouble: &Trouble,
    attempt: u32,
    retries: u32,
    jitter: f64,
) -> Option<Duration> {
    if attempt >= retries {
        return None;
    }
    let (worth, asked) = match trouble {
        Trouble::NoResponse | Trouble::NoConnection => (true, None),
        Trouble::Broken { shown } => (!shown, None),
        Trouble::Final => (false, None),
        Trouble::Status {
            status,
            headers,
            quota,
        } => {
            let worth = match header(headers, "x-should-retry") {
                Some("true") => true,
                Some("false") => false,
                _ => matches!(status, 408 | 409 | 429 | 500..=599) && !quota,
            };
            (worth, retry_after(headers))
        }
    };
    match asked {
        _ if !worth => None,
        Some(wait) if wait > MAX_RETRY_AFTER => None,
        Some(wait) => Some(wait),
        None => Some(backoff(attempt, jitter)),
    }
}

/// The one stderr line of a retry: what failed, and when attempt `attempt` of `retries`
/// follows.
fn announce(failure: &str, wait: Duration, attempt: u32, retries: u32) {
    crate::output::ui::warn(&format!(
        "{failure}; retrying in {:.1} s ({attempt} of {retries})",
        wait.as_secs_f64()
    ));
}

/// The one retry loop: runs `attempt` until it succeeds, its failure is not worth another
/// attempt (by `next_wait`, or because `give_up` says so), or `retries` are spent; between
/// attempts it announces the failure, `label` first, and waits with `sleep`.
pub(crate) async fn run<T, A, F, S, W>(
    retries: u32,
    label: &str,
    mut attempt: A,
    mut give_up: impl FnMut(&Failed) -> bool,
    mut sleep: S,
) -> Result<T, Failed>
where
    A: FnMut() -> F,
    F: Future<Output = Result<T, Failed>>,
    S: FnMut(Duration) -> W,
    W: Future<Output = ()>,
{
    let mut failures = 0;
    loop {
        let failed = match attempt().await {
            Ok(done) => return Ok(done),
            Err(failed) => failed,
        };
        if give_up(&failed) {
            return Err(failed);
        }
        let Some(wait) = next_wait(&failed.trouble, failures, retries, jitter()) else {
            return Err(failed);
        };
        failures += 1;
        announce(&format!("{label}{}", failed.error), wait, failures, retries);
        sleep(wait).await;
    }
}

/// How long every request of a batch holds back after this failure: the wait a 429 or 503
/// asks for, when it asks for one short enough to wait out.
pub(crate) fn pause_for_all(trouble: &Trouble) -> Option<Duration> {
    match trouble {
        Trouble::Status {
            status: 429 | 503,
            headers,
            ..
        } => retry_after(headers).filter(|wait| *wait <= MAX_RETRY_AFTER),
        _ => None,
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The wait the server asked for: `retry-after-ms`, else `retry-after` in seconds or as
/// an HTTP date. A wait too long for a `Duration` is `Duration::MAX`: still "too long".
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = |secs: f64| {
        (secs >= 0.0).then(|| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
    };
    if let Some(ms) = header(headers, "retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok())
        && let Some(delay) = seconds(ms / 1000.0)
    {
        return Some(delay);
    }
    let value = header(headers, "retry-after")?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// `min(0.5 s · 2^k, 8 s)`, shortened by `jitter` (0 to 0.25 of it).
pub(crate) fn backoff(k: u32, jitter: f64) -> Duration {
    let base = (0.5 * 2f64.powi(k.min(16) as i32)).min(8.0);
    Duration::from_secs_f64(base * (1.0 - jitter.clamp(0.0, 0.25)))
}

/// A number in 0..0.25 that differs between processes and calls; no crate needed for that.
pub(crate) fn jitter() -> f64 {
    use std::hash::{BuildHasher, RandomState};
    let r = RandomState::new().hash_one(SystemTime::now());
    (r % 10_000) as f64 / 10_000.0 * 0.25
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn status(status: u16, headers: &[(&'static str, &'static str)]) -> Trouble {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_static(value));
        }
        Trouble::Status {
            status,
            headers: Box::new(map),
            quota: false,
        }
    }

    #[test]
    fn what_is_tried_again() {
        let wait = |t: &Trouble| next_wait(t, 0, 2, 0.0);
        assert_eq!(wait(&Trouble::NoResponse), Some(Duration::from_millis(500)));
        assert_eq!(
            wait(&Trouble::Broken { shown: false }),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            wait(&Trouble::Broken { shown: true }),
            None,
            "never shown twice"
        );
        for code in [408, 409, 429, 500, 502, 503, 599] {
            assert!(wait(&status(code, &[])).is_some(), "{code}");
        }
        for code in [400, 401, 402, 403, 404, 413, 422] {
            assert!(wait(&status(code, &[])).is_none(), "{code}");
        }
        let quota = Trouble::Status {
            status: 429,
            headers: Box::default(),
            quota: true,
        };
        assert_eq!(wait(&quota), None);
    }

    #[test]
    fn the_budget_and_the_server_have_their_say() {
        assert_eq!(next_wait(&Trouble::NoResponse, 2, 2, 0.0), None);
        assert_eq!(
            next_wait(&Trouble::NoResponse, 1, 2, 0.0),
            Some(Duration::from_secs(1))
        );
        let t = status(400, &[("x-should-retry", "true")]);
        assert!(next_wait(&t, 0, 2, 0.0).is_some());
        let t = status(503, &[("x-should-retry", "false")]);
        assert_eq!(next_wait(&t, 0, 2, 0.0), None);
        let t = status(429, &[("retry-after", "3")]);
        assert_eq!(next_wait(&t, 0, 2, 0.0), Some(Duration::from_secs(3)));
        let t = status(429, &[("retry-after", "121")]);
        assert_eq!(next_wait(&t, 0, 2, 0.0), None, "too long: give up at once");
    }

    #[test]
    fn backoff_doubles_to_a_cap() {
        assert_eq!(backoff(0, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(1, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(3, 0.0), Duration::from_secs(4));
        assert_eq!(backoff(4, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(10, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(0, 0.25), Duration::from_millis(375));
        assert_eq!(backoff(0, 0.9), Duration::from_millis(375));
    }

    #[test]
    fn jitter_stays_in_range() {
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..0.25).contains(&j));
        }
    }

    #[test]
    fn only_a_429_or_503_with_a_wait_pauses_everyone() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        let status = |status, headers: &HeaderMap| Trouble::Status {
            status,
            headers: Box::new(headers.clone()),
            quota: false,
        };
        assert_eq!(
            pause_for_all(&status(429, &h)),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            pause_for_all(&status(503, &h)),
            Some(Duration::from_secs(2))
        );
        assert_eq!(pause_for_all(&status(500, &h)), None);
        assert_eq!(pause_for_all(&status(429, &HeaderMap::new())), None);
        h.insert("retry-after", "600".parse().unwrap());
        assert_eq!(pause_for_all(&status(429, &h)), None);
        assert_eq!(pause_for_all(&Trouble::NoResponse), None);
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
        let mut h = HeaderMap::new();
        let later = SystemTime::now() + Duration::from_secs(30);
        h.insert(
            "retry-after",
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn retry_after_too_long_for_a_duration_is_the_longest_wait() {
        for (name, value) in [
            ("retry-after", "99999999999999999999"),
            ("retry-after", "1e300"),
            ("retry-after", "inf"),
            ("retry-after-ms", "1e23"),
        ] {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_static(value));
            assert_eq!(retry_after(&h), Some(Duration::MAX), "{name}: {value}");
        }
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            HeaderValue::from_static("Fri, 31 Dec 9999 23:59:59 GMT"),
        );
        assert!(retry_after(&h).unwrap() > MAX_RETRY_AFTER);
        h.insert("retry-after", HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("NaN"));
        assert_eq!(retry_after(&h), None);
    }

    /// Runs the loop over scripted attempts; returns its result and the waits it slept.
    fn drive(
        retries: u32,
        script: Vec<Result<u8, Trouble>>,
        give_up: impl FnMut(&Failed) -> bool,
    ) -> (Result<u8, String>, Vec<Duration>) {
        use futures_util::FutureExt;
        let mut script = script.into_iter();
        let mut slept = Vec::new();
        let attempt = || {
            let next = script.next().expect("an attempt too many");
            std::future::ready(next.map_err(|t| Failed::new(anyhow::anyhow!("failed"), t)))
        };
        let sleep = |wait| {
            slept.push(wait);
            std::future::ready(())
        };
        let result = run(retries, "", attempt, give_up, sleep)
            .now_or_never()
            .unwrap()
            .map_err(|f| f.error.to_string());
        (result, slept)
    }

    #[test]
    fn the_loop_tries_again_within_the_budget_and_waits_in_between() {
        let half = |d: &Duration| (375..=500).contains(&d.as_millis());
        let (result, slept) = drive(2, vec![Err(Trouble::NoResponse), Ok(7)], |_| false);
        assert_eq!(result, Ok(7));
        assert!(slept.len() == 1 && half(&slept[0]), "{slept:?}");
        let (result, slept) = drive(
            1,
            vec![Err(Trouble::NoResponse), Err(Trouble::NoResponse)],
            |_| false,
        );
        assert_eq!(result, Err("failed".into()), "the budget is spent");
        assert_eq!(slept.len(), 1);
    }

    #[test]
    fn the_loop_stops_at_once_for_what_another_attempt_cannot_cure() {
        for trouble in [Trouble::Final, Trouble::Broken { shown: true }] {
            let (result, slept) = drive(5, vec![Err(trouble)], |_| false);
            assert!(result.is_err() && slept.is_empty());
        }
        let (result, slept) = drive(5, vec![Err(Trouble::NoResponse)], |_| true);
        assert!(result.is_err() && slept.is_empty(), "the caller gives up");
    }
}
