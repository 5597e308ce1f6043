import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What the panel is, for people: "The model manager". */
  name: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * Keeps a panel's failure inside the panel: what failed is shown in its place (as text), the rest
 * of the page stays usable, and "Try again" renders the panel afresh (after the data changed).
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    // The console keeps the component stack for whoever reports the bug.
    console.error(`${this.props.name} failed:`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="panel failed" role="alert" data-testid="panel-error" data-panel={this.props.name}>
        <p>
          {this.props.name} could not be shown: {error.message || error.name}
        </p>
        <p className="hint">The rest of the page still works.</p>
        <button data-testid="panel-retry" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </section>
    );
  }
}
