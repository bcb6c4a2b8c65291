(function(){
function fmt(ms){if(ms<=0)return "expired";var s=Math.floor(ms/1000),d=Math.floor(s/86400),h=Math.floor(s%86400/3600),m=Math.floor(s%3600/60);s=s%60;
if(d>0)return "in "+d+"d "+h+"h";if(h>0)return "in "+h+"h "+m+"m";return "in "+m+"m "+s+"s";}
function tick(){var els=document.querySelectorAll("[data-until]");for(var i=0;i<els.length;i++){var t=Date.parse(els[i].getAttribute("data-until"));if(!isNaN(t))els[i].textContent=fmt(t-Date.now());}}
tick();setInterval(tick,1000);
})();
