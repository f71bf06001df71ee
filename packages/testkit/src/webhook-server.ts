import { createServer, type Server } from 'node:http';

export interface ReceivedWebhook {
  path: string;
  body: Record<string, unknown>;
}

export interface TestWebhookServer {
  url: string;
  posts: ReceivedWebhook[];
  /** Answers the next post to this path with 500 (a chat server that is busy). */
  failNext: Set<string>;
  /** Resolves once `count` posts have arrived (or rejects after timeoutMs). */
  waitForPosts(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): void;
}

/** A real HTTP server standing in for Mattermost and Slack incoming webhooks. */
export async function startWebhookServer(): Promise<TestWebhookServer> {
  const posts: ReceivedWebhook[] = [];
  const failNext = new Set<string>();
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (c: Buffer) => (text += c.toString()));
    request.on('end', () => {
      const path = request.url ?? '';
      if (failNext.delete(path)) return response.writeHead(500).end('busy');
      try {
        posts.push({ path, body: JSON.parse(text) as Record<string, unknown> });
      } catch {
        return response.writeHead(400).end('not JSON');
      }
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    failNext,
    async waitForPosts(count, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (posts.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} webhook post(s), got ${posts.length}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return posts;
    },
    close: () => server.close(),
  };
}
