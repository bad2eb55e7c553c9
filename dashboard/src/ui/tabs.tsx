import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';

/**
 * Tabs per the ARIA practice: arrow keys move between tabs, Tab moves into the panel.
 */
export function Tabs({
  label,
  tabs,
}: {
  label: string;
  tabs: { id: string; label: string; content: ComponentChildren }[];
}) {
  const baseId = useId();
  const [selected, setSelected] = useState(tabs[0]?.id);
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const select = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length];
    if (!tab) return;
    setSelected(tab.id);
    refs.current[tab.id]?.focus();
  };
  return (
    <div class="tabs">
      <div role="tablist" aria-label={label}>
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={`${baseId}-${tab.id}-tab`}
            aria-selected={selected === tab.id}
            aria-controls={`${baseId}-${tab.id}-panel`}
            tabIndex={selected === tab.id ? 0 : -1}
            ref={(element) => {
              refs.current[tab.id] = element;
            }}
            onClick={() => setSelected(tab.id)}
            onKeyDown={(event) => {
              if (event.key === 'ArrowRight') select(index + 1);
              else if (event.key === 'ArrowLeft') select(index - 1);
              else if (event.key === 'Home') select(0);
              else if (event.key === 'End') select(tabs.length - 1);
              else return;
              event.preventDefault();
            }}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {tabs.map((tab) => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`${baseId}-${tab.id}-panel`}
          aria-labelledby={`${baseId}-${tab.id}-tab`}
          hidden={selected !== tab.id}
        >
          {tab.content}
        </div>
      ))}
    </div>
  );
}
