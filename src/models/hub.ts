/** The public model hub (Hugging Face). The app's build can point elsewhere: see DEFAULT_HUB in config.ts. */
export const PUBLIC_HUB = 'https://huggingface.co';

/** Where the files of a hub repository live (the Hugging Face layout `{hub}/{repo}/resolve/main/`). */
export const hubRepoBase = (hub: string, repo: string): string =>
  `${hub.replace(/\/+$/, '')}/${repo}/resolve/main/`;
