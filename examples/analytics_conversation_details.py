"""Query conversation details for the last N days, page by page, and count them by media type.

The synchronous details query returns at most 100 conversations per page; ask for the next
page until a page comes back short or `total_hits` is reached.

Environment: GENESYS_CLOUD_CLIENT_ID, GENESYS_CLOUD_CLIENT_SECRET (a client with the
analytics:conversationDetail:view permission) and optionally GENESYS_CLOUD_HOST.

    python examples/analytics_conversation_details.py --days 7
"""
from __future__ import annotations

import argparse
import os
from collections import Counter
from datetime import datetime, timedelta, timezone

import PureCloudPlatformClientV2
from PureCloudPlatformClientV2.api_client import ApiClient

PAGE_SIZE = 100


def connect() -> ApiClient:
    host = os.environ.get("GENESYS_CLOUD_HOST")
    if host:
        PureCloudPlatformClientV2.configuration.host = host
    return ApiClient().get_client_credentials_token(
        os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"]
    )


def interval(days: int) -> str:
    end = datetime.now(timezone.utc).replace(microsecond=0)
    start = end - timedelta(days=days)
    return f"{start.isoformat().replace('+00:00', 'Z')}/{end.isoformat().replace('+00:00', 'Z')}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--max-pages", type=int, default=50)
    args = parser.parse_args()

    analytics_api = PureCloudPlatformClientV2.AnalyticsApi(connect())
    query = PureCloudPlatformClientV2.ConversationQuery()
    query.interval = interval(args.days)
    query.order = "asc"
    query.order_by = "conversationStart"
    query.paging = PureCloudPlatformClientV2.PagingSpec()
    query.paging.page_size = PAGE_SIZE

    by_media: Counter[str] = Counter()
    seen = 0
    for page_number in range(1, args.max_pages + 1):
        query.paging.page_number = page_number
        result = analytics_api.post_analytics_conversations_details_query(query)
        conversations = result.conversations or []
        for conversation in conversations:
            seen += 1
            media = {
                session.media_type
                for participant in conversation.participants or []
                for session in participant.sessions or []
                if session.media_type
            }
            by_media.update(media or {"unknown"})
        print(f"page {page_number}: {len(conversations)} conversations (total hits {result.total_hits})")
        if len(conversations) < PAGE_SIZE or (result.total_hits is not None and seen >= result.total_hits):
            break

    print(f"{seen} conversations in the last {args.days} days")
    for media, count in by_media.most_common():
        print(f"  {media}: {count}")


if __name__ == "__main__":
    main()
