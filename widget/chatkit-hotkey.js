// Ctrl+K opens the chat; Cmd+K on Apple systems, where Ctrl+K in a text
// field deletes to the end of the line.
const MAC = /mac|iphone|ipad/i.test(navigator.userAgentData?.platform ?? navigator.platform ?? "");

export function isOpenHotkey(e) {
  return (MAC ? e.metaKey : e.ctrlKey) && !e.altKey && !e.shiftKey && e.key?.toLowerCase() === "k";
}
