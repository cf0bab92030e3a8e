"""Export conversation details with an asynchronous analytics job.

Large exports run as jobs: submit the query, poll the job until it is FULFILLED, then read
the results with the cursor until there is none. Conversations are written as JSON lines.

Environment: GENESYS_CLOUD_CLIENT_ID, GENESYS_CLOUD_CLIENT_SECRET (a client with the
analytics:conversationDetail:view permission) and optionally GENESYS_CLOUD_HOST.

    python examples/export_async_job.py --days 1 --out conversations.jsonl
"""
from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime, timedelta, timezone

import PureCloudPlatformClientV2
from PureCloudPlatformClientV2.api_client import ApiClient

DONE_STATES = {"FULFILLED", "FAILED", "CANCELLED", "EXPIRED"}


def connect() -> ApiClient:
    host = os.environ.get("GENESYS_CLOUD_HOST")
    if host:
        PureCloudPlatformClientV2.configuration.host = host
    return ApiClient().get_client_credentials_token(
        os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--out", default="conversations.jsonl")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the job")
    args = parser.parse_args()

    analytics_api = PureCloudPlatformClientV2.AnalyticsApi(connect())
    end = datetime.now(timezone.utc).replace(microsecond=0)
    start = end - timedelta(days=args.days)
    query = PureCloudPlatformClientV2.AsyncConversationQuery()
    query.interval = f"{start.strftime('%Y-%m-%dT%H:%M:%SZ')}/{end.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    query.order = "asc"
    query.order_by = "conversationStart"

    job = analytics_api.post_analytics_conversations_details_jobs(query)
    if not job.job_id:
        raise SystemExit("the job was not accepted: no job id in the response")
    print("submitted job", job.job_id)

    deadline = time.monotonic() + args.timeout
    delay = 1.0
    while True:
        status = analytics_api.get_analytics_conversations_details_job(job.job_id)
        print("job state", status.state)
        if status.state in DONE_STATES:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"job {job.job_id} not finished after {args.timeout:g}s")
        time.sleep(delay)
        delay = min(delay * 2, 15.0)  # jobs take seconds to minutes: back off while polling
    if status.state != "FULFILLED":
        raise SystemExit(f"job ended {status.state}: {status.error_message}")

    written = 0
    cursor = None
    with open(args.out, "w", encoding="utf-8") as out:
        while True:
            if cursor:
                page = analytics_api.get_analytics_conversations_details_job_results(
                    job.job_id, cursor=cursor, page_size=1000)
            else:
                page = analytics_api.get_analytics_conversations_details_job_results(job.job_id, page_size=1000)
            for conversation in page.conversations or []:
                out.write(json.dumps(conversation.to_dict(), default=str) + "\n")
                written += 1
            if not page.cursor or page.cursor == cursor:
                break
            cursor = page.cursor
    print(f"wrote {written} conversations to {args.out}")


if __name__ == "__main__":
    main()
