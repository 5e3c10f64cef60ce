extension DiagnosticPage {
    /// The page's styles (inline: the page makes no external request).
    static let pageStyle = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:0 2em 3em;color:#1d1d1f;background:#fafafa}
    header{background:#7a1f1f;color:#fff;margin:0 -2em 1.5em;padding:1.2em 2em}
    header h1{margin:0;font-size:1.4em;font-family:ui-monospace,Menlo,monospace}
    header .message{font-size:1.15em;margin:.4em 0 0;white-space:pre-wrap}
    header .note{opacity:.85;margin:.4em 0 0;font-size:.95em}
    h2{font-size:1.1em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
    h2 small{font-weight:normal;color:#666}
    pre,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
    pre{margin:0;white-space:pre-wrap;word-break:break-word}
    .error{background:#fff;border:1px solid #e3c4c4;border-radius:4px;padding:.6em 1em;margin:.4em 0}
    .error h3{margin:0 0 .3em;font-family:ui-monospace,Menlo,monospace;font-size:1em;color:#7a1f1f}
    .caused-by{margin:.6em 0 0;color:#666;font-style:italic}
    ol.frames{list-style:none;padding:0;margin:0}
    .frame{border:1px solid #ddd;border-radius:4px;margin:.3em 0;background:#fff}
    .frame summary{cursor:pointer;padding:.35em .6em}
    .frame .location{color:#555}
    .frame.library{display:none;background:#f3f3f3}
    body.show-library .frame.library{display:block}
    .badge{display:inline-block;font-size:11px;padding:0 .45em;border-radius:8px;background:#e4e4e4;color:#333}
    .badge.async{background:#dde8fb;color:#1a3d7c}
    pre.source{background:#272822;color:#e8e8e3;padding:.5em 0;margin:0 .6em .5em;border-radius:3px;overflow-x:auto}
    pre.source .line{display:block;padding:0 .6em}
    pre.source .line.current{background:#6b2727}
    pre.source .number{display:inline-block;width:3.5em;color:#8f908a;user-select:none}
    .no-source{margin:.2em .6em .5em;color:#777}
    a.editor{display:inline-block;margin:0 .6em .6em;font-size:12px}
    ol.layers li.marked{font-weight:bold;color:#7a1f1f}
    table{border-collapse:collapse;width:100%;background:#fff}
    th,td{border:1px solid #e2e2e2;padding:.25em .5em;text-align:left;vertical-align:top}
    th{width:14em;font-weight:600;background:#f6f6f6;word-break:break-all}
    #inspector-form{display:flex;gap:.5em}
    #expression{flex:1;font-family:ui-monospace,Menlo,monospace;padding:.3em}
    #inspector-output{margin-top:.6em}
    .tree details{margin-left:1.2em}.tree .leaf{margin-left:1.2em;display:block}
    .tree .type{color:#777}.tree .label{color:#1a3d7c}
    .inspector-error{color:#a00}
    dialog{border:1px solid #999;border-radius:6px}
    #pin-message{color:#a00}
    button{font:inherit;padding:.2em .8em}
    """

    /// The page's script: folds library frames, copies text, and talks to the inspector endpoints.
    /// Values from the server are inserted with `textContent` only, never as HTML.
    static let pageScript = """
    (function(){
    "use strict";
    var body=document.body;
    var toggle=document.getElementById("toggle-library");
    if(toggle){toggle.addEventListener("click",function(){
      var shown=body.classList.toggle("show-library");
      toggle.textContent=(shown?"Hide ":"Show ")+toggle.dataset.count+" library frames";});}
    document.querySelectorAll("button[data-copy]").forEach(function(button){
      button.addEventListener("click",function(){
        var area=document.getElementById(button.dataset.copy);var text=area.value;
        function fallback(){area.hidden=false;area.select();try{document.execCommand("copy");}catch(e){}area.hidden=true;}
        if(navigator.clipboard){navigator.clipboard.writeText(text).catch(fallback);}else{fallback();}
        button.dataset.copied="true";});});
    var endpoint=body.dataset.endpoint;if(!endpoint){return;}
    var page=body.dataset.page,secret=body.dataset.secret;
    var dialog=document.getElementById("pin-dialog"),output=document.getElementById("inspector-output");
    function call(action,payload){
      payload.page=page;payload.secret=secret;
      return fetch(endpoint+"/"+action,{method:"POST",credentials:"same-origin",
        headers:{"Content-Type":"application/json","X-Werk-Debugger":"1"},body:JSON.stringify(payload)})
        .then(function(r){return r.json().then(function(j){j.status=r.status;return j;});});}
    function node(value){
      var label=value.label!==undefined?value.label+": ":"";
      if(!value.children||value.children.length===0){
        var leaf=document.createElement("span");leaf.className="leaf";
        var l=document.createElement("span");l.className="label";l.textContent=label;leaf.appendChild(l);
        leaf.appendChild(document.createTextNode(value.summary+" "));
        var t=document.createElement("span");t.className="type";t.textContent=value.type;leaf.appendChild(t);
        return leaf;}
      var details=document.createElement("details");var summary=document.createElement("summary");
      var s=document.createElement("span");s.className="label";s.textContent=label;summary.appendChild(s);
      summary.appendChild(document.createTextNode(value.summary+" "));
      var ty=document.createElement("span");ty.className="type";ty.textContent=value.type;summary.appendChild(ty);
      details.appendChild(summary);
      value.children.forEach(function(child){details.appendChild(node(child));});
      if(value.truncated){var more=document.createElement("span");more.className="leaf";
        more.textContent="… "+value.truncated+" more";details.appendChild(more);}
      return details;}
    function show(answer){
      output.textContent="";
      if(answer.value){var tree=document.createElement("div");tree.className="tree";
        var root=node(answer.value);if(root.tagName==="DETAILS"){root.open=true;}
        tree.appendChild(root);output.appendChild(tree);return;}
      var p=document.createElement("p");p.className="inspector-error";p.textContent=answer.error||"The inspector did not answer.";
      output.appendChild(p);}
    function inspect(){
      var expression=document.getElementById("expression").value;
      call("inspect",{expression:expression}).then(function(answer){
        if(answer.pinRequired){openPin();return;}show(answer);},function(){show({error:"The debugger is not reachable."});});}
    function openPin(){document.getElementById("pin-message").textContent="";
      if(dialog.showModal){if(!dialog.open){dialog.showModal();}}else{dialog.setAttribute("open","");}}
    document.getElementById("inspector-form").addEventListener("submit",function(event){event.preventDefault();inspect();});
    document.getElementById("pin-form").addEventListener("submit",function(event){
      event.preventDefault();var message=document.getElementById("pin-message");
      call("pin",{pin:document.getElementById("pin").value}).then(function(answer){
        if(answer.auth){dialog.close();inspect();return;}
        message.textContent=answer.exhausted?"Too many failed attempts: the inspector is locked until the server restarts.":
          (answer.error||"Wrong PIN.");});});
    if(body.dataset.pinRequired==="true"){openPin();}else{inspect();}
    })();
    """
}
